"""The render options, declared once as two option groups, and what a command makes of them.

`files_and_sets` (the values files and the `--set` family, parsed here only) and `target`
(namespace, release, platform, registry, chart); a rendering command is declared with
`@app.command(cls=RENDERING)` and `render_inputs(ctx)` gives it both as one `RenderInputs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syntho_ray.build.naming import DEFAULT_NAMESPACE, DEFAULT_RELEASE
from syntho_ray.cli.command import chosen, taking
from syntho_ray.cli.common import warn
from syntho_ray.cli.options import ChartOption

if TYPE_CHECKING:
    from syntho_ray.build.naming import Release
    from syntho_ray.facts.charts import Chart
    from syntho_ray.values.layouts import AnyValues
    from syntho_ray.values.loading import Loaded, ValuesInput

ValuesFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--values",
        "-f",
        metavar="FILE",
        help="Values file (repeatable; later files win).",
        dir_okay=False,
    ),
]
SetValues = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Set a value: a.b=c (repeatable; Helm's syntax and types).",
    ),
]
SetStrings = Annotated[
    list[str] | None,
    typer.Option("--set-string", metavar="KEY=VALUE", help="Set a value, always as a string."),
]
SetJson = Annotated[
    list[str] | None,
    typer.Option("--set-json", metavar="KEY=JSON", help='Set a value from JSON: a.b={"c":1}.'),
]
SetFiles = Annotated[
    list[str] | None,
    typer.Option(
        "--set-file", metavar="KEY=PATH", help="Set a value to a file's content: a.b=path."
    ),
]
Namespace = Annotated[
    str, typer.Option("--namespace", "-n", metavar="NAMESPACE", help="Target namespace.")
]
ReleaseName = Annotated[
    str, typer.Option("--release", metavar="NAME", help="Release name (as in Helm).")
]


class PlatformName(StrEnum):
    """What `--platform` chooses (the value `platform`)."""

    kubernetes = "kubernetes"
    openshift = "openshift"


Platform = Annotated[
    PlatformName | None,
    typer.Option(
        "--platform",
        metavar="[kubernetes|openshift]",
        help="Render for this platform (sets the value `platform`).",
    ),
]
Registry = Annotated[
    str | None,
    typer.Option(
        "--registry",
        metavar="HOST[/PREFIX]",
        help="Pull every image from this mirror: HOST[/PREFIX] (value `registry`).",
    ),
]


@dataclass(frozen=True)
class FilesAndSets:
    """An option group: the values files and the `--set` family."""

    values: ValuesFiles = None  # -f: later files win
    set_values: SetValues = None  # --set
    set_string: SetStrings = None
    set_json: SetJson = None
    set_file: SetFiles = None

    def given(self, *, strings: Sequence[str] = (), chart: Chart | None = None) -> ValuesInput:
        """What to load, in Helm's order; `strings` are `--set-string`s that come last."""
        from syntho_ray.values.loading import ValuesInput

        return ValuesInput(
            files=[str(v) for v in self.values or []],
            set_values=self.set_values or [],
            set_string=[*(self.set_string or []), *strings],
            set_json=self.set_json or [],
            set_file=self.set_file or [],
            chart=chart,
        )


@dataclass(frozen=True)
class Target:
    """An option group: the release, platform, mirror and chart generation to render for."""

    namespace: Namespace = DEFAULT_NAMESPACE
    release: ReleaseName = DEFAULT_RELEASE
    platform: Platform = None  # sets the value `platform`
    registry: Registry = None  # sets the value `registry`
    chart: ChartOption = None

    def settings(self) -> list[str]:
        """--platform and --registry as `--set-string`s: they win over the values."""
        chosen = (("platform", self.platform), ("registry", self.registry))
        return [f"{key}={value}" for key, value in chosen if value]


RENDERING = taking(FilesAndSets, Target)


def render_inputs(ctx: typer.Context) -> RenderInputs:
    """The render options a `RENDERING` command was given."""
    from syntho_ray.build.naming import Release

    to = chosen(ctx, Target)
    given = chosen(ctx, FilesAndSets).given(
        strings=to.settings(), chart=to.chart.chart if to.chart else None
    )
    return RenderInputs(given, Release(name=to.release, namespace=to.namespace).checked())


@dataclass(frozen=True)
class RenderInputs:
    """What every rendering command takes: values files, the --set family, target, platform."""

    given: ValuesInput
    release: Release

    def load(self, *, warnings: bool = True, strict: bool = False) -> tuple[Release, Loaded]:
        """The target and the validated values; their warnings shown (errors with --strict)."""
        from syntho_ray import notes
        from syntho_ray.values.loading import load

        loaded = load(self.given)
        if warnings:
            found = [*map(str, loaded.warnings), *notes.warnings(loaded.values, loaded.user)]
            warn(found, strict=strict)
        return self.release, loaded

    def values(self, *, strict: bool = False) -> tuple[Release, AnyValues]:
        """`load`'s target and values, without the values as the user gave them: only their
        warnings need those (so a large file's are not held while it renders)."""
        chosen, loaded = self.load(strict=strict)
        return chosen, loaded.values
