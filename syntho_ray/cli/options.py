"""The options of the commands that talk to a cluster, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    """Sets the cluster commands' REQUEST_TIMEOUT from `--request-timeout` (at parse time)."""
    from syntho_ray.cli import cluster
    from syntho_ray.errors import UsageError

    if text is not None:
        try:
            cluster.REQUEST_TIMEOUT = cluster.parse_duration(text, option="--request-timeout")
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
