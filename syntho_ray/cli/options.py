"""The options of the commands that talk to a cluster, declared once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from syntho_ray.facts.charts import Chart

Kubeconfig = Annotated[
    Path | None,
    typer.Option(
        "--kubeconfig",
        metavar="FILE",
        help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
        dir_okay=False,
    ),
]
Context = Annotated[
    str | None,
    typer.Option("--context", metavar="NAME", help="kubeconfig context (default: current)."),
]


def _request_timeout(text: str | None) -> str | None:
    """`--request-timeout` checked as it is parsed: a usage error names the option."""
    from syntho_ray.errors import UsageError

    try:
        _seconds(text)
    except UsageError as error:
        raise typer.BadParameter(str(error)) from None
    return text


RequestTimeout = Annotated[
    str | None,
    typer.Option(
        "--request-timeout",
        metavar="DURATION",
        help="How long one call to the API server, or the kubeconfig's credential plugin, may "
        "take: 30s (the default), 2m.",
        callback=_request_timeout,
    ),
]


@dataclass(frozen=True)
class Connection:
    """An option group: which cluster, and how long one call to it may take."""

    kubeconfig: Kubeconfig = None
    context: Context = None
    request_timeout: RequestTimeout = None  # a duration: `seconds()` reads it

    def seconds(self) -> float:
        """How long one call may take (`--request-timeout`, else the default)."""
        return _seconds(self.request_timeout)


def _seconds(text: str | None) -> float:
    return REQUEST_TIMEOUT if text is None else parse_duration(text, option="--request-timeout")


REQUEST_TIMEOUT = 30.0  # seconds: one API call, or the credential plugin (--request-timeout)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str, *, option: str = "--timeout") -> float:
    """`10m`, `90s`, `1h30m`, `2.5m` or plain seconds -> seconds."""
    from syntho_ray.errors import UsageError

    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if not text or _DURATION.sub("", text):
        raise UsageError(f"{option} {text!r}: expected a duration such as 90s, 10m or 1h")
    return sum(float(n) * _UNITS[unit] for n, unit in _DURATION.findall(text))


CreateNamespace = Annotated[
    bool,
    typer.Option(
        "--create-namespace",
        help="apply: create the namespace if it does not exist. check: a missing namespace is "
        "no error (check itself creates nothing).",
    ),
]
ForceConflicts = Annotated[
    bool,
    typer.Option(
        "--force-conflicts", help="Take over fields another field manager owns (as kubectl)."
    ),
]
TakeOwnership = Annotated[
    bool,
    typer.Option(
        "--take-ownership",
        help="Apply over objects that belong to another release or were made by Helm "
        "(their fields too, as --force-conflicts).",
    ),
]
SkipPreflight = Annotated[
    bool, typer.Option("--skip-preflight", help="Do not check the cluster before changing it.")
]
Timeout = Annotated[
    str,
    typer.Option("--timeout", metavar="DURATION", help="How long --wait may take: 90s, 10m."),
]
Crds = Annotated[
    Path | None,
    typer.Option(
        "--crds", metavar="DIR", help="First apply the CRD files in DIR.", file_okay=False
    ),
]
DryRunOption = Annotated[  # text, so that the rendering commands load no cluster code
    str,
    typer.Option("--dry-run", metavar="[none|client|server]", help="Show what would change."),
]
Prune = Annotated[
    bool, typer.Option("--prune/--no-prune", help="Delete what the render no longer has.")
]
Wait = Annotated[
    bool, typer.Option("--wait", help="Wait until the operator and the RayCluster are ready.")
]


class ChartChoice(StrEnum):
    """Syntho's chart generations: the guide's `ray-cluster` 1.13 and `ray` 1.14."""

    v1_13 = "1.13"
    v1_14 = "1.14"

    @property
    def chart(self) -> Chart:
        """The generation, typed."""
        return "1.14" if self is ChartChoice.v1_14 else "1.13"


ChartOption = Annotated[
    ChartChoice | None,
    typer.Option(
        "--chart",
        help="Chart generation of the values: 1.13 (the guide's ray-cluster) or 1.14 (ray, "
        "with kuberay-operator: and ray-cluster:). Default: the values' layout, else 1.13.",
    ),
]
