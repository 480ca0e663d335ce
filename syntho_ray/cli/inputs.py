"""The render options, declared once, and what a rendering command makes of them.

A rendering command is declared with `@app.command(cls=RenderCommand)` and takes
`ctx: typer.Context`; `render_inputs(ctx)` gives it the values files, the `--set` family,
namespace, release, platform, registry and chart as one `RenderInputs`. The options are the
parameters of `_render_options`, shown first in each command's help.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from syntho_ray.build.naming import DEFAULT_NAMESPACE, DEFAULT_RELEASE
from syntho_ray.cli.app import warn
from syntho_ray.cli.options import ChartChoice, ChartOption

if TYPE_CHECKING:
    from syntho_ray.build.naming import Release
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


def _render_options(
    values: ValuesFiles = None,
    set_values: SetValues = None,
    set_string: SetStrings = None,
    set_json: SetJson = None,
    set_file: SetFiles = None,
    namespace: Namespace = DEFAULT_NAMESPACE,
    release: ReleaseName = DEFAULT_RELEASE,
    platform: Platform = None,
    registry: Registry = None,
    chart: ChartOption = None,
) -> None:
    """The render options every rendering command takes (their declaration, never called)."""


_FILES_AND_SETS = ("values", "set_values", "set_string", "set_json", "set_file")
_INPUTS = "syntho_ray.render_inputs"


def _render_params() -> list[Any]:
    """Fresh click parameters for the render options, as typer makes them from the declaration."""
    holder = typer.Typer(add_completion=False)
    holder.command()(_render_options)
    return list(typer.main.get_command(holder).params)


class RenderCommand(TyperCommand):
    """A command that takes the render options first and hands them over as `RenderInputs`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params[:0] = _render_params()

    def invoke(self, ctx: Any) -> Any:
        """Take the render options out of the parameters; run the command with the rest."""
        chosen = {name: ctx.params.pop(name) for name in _FILES_AND_SETS}
        namespace, release = ctx.params.pop("namespace"), ctx.params.pop("release")
        platform, registry, chart = (ctx.params.pop(n) for n in ("platform", "registry", "chart"))
        given = values_input(
            *(list(chosen[name] or []) for name in _FILES_AND_SETS),
            platform=platform,
            registry=registry,
        )
        generation = ChartChoice(chart).chart if chart else None
        ctx.meta[_INPUTS] = RenderInputs(replace(given, chart=generation), namespace, release)
        return super().invoke(ctx)


def render_inputs(ctx: typer.Context) -> RenderInputs:
    """The render options a `RenderCommand` was given."""
    found: RenderInputs = ctx.meta[_INPUTS]
    return found


@dataclass(frozen=True)
class RenderInputs:
    """What every rendering command takes: values files, the --set family, target, platform."""

    given: ValuesInput
    namespace: str
    release: str

    def target(self) -> Release:
        """The release to render, or a usage error naming what is wrong with it."""
        return target(self.namespace, self.release)

    def load(self, *, warnings: bool = True, strict: bool = False) -> tuple[Release, Loaded]:
        """The target and the validated values; their warnings shown (errors with --strict)."""
        from syntho_ray import notes
        from syntho_ray.values.loading import load

        chosen = self.target()
        loaded = load(self.given)
        if warnings:
            found = [*map(str, loaded.warnings), *notes.warnings(loaded.values, loaded.user)]
            warn(found, strict=strict)
        return chosen, loaded


def target(namespace: str, release: str) -> Release:
    """The release to render, or a usage error naming what is wrong with it."""
    from syntho_ray.build.naming import Release
    from syntho_ray.errors import UsageError

    chosen = Release(name=release, namespace=namespace)
    if chosen.problems():
        raise UsageError("; ".join(chosen.problems()))
    return chosen


def values_input(
    values: list[Path] | None,
    set_values: list[str] | None,
    set_string: list[str] | None,
    set_json: list[str] | None,
    set_file: list[str] | None,
    *,
    platform: str | None = None,
    registry: str | None = None,
) -> ValuesInput:
    """The render inputs of a command line; --platform and --registry win over the values."""
    from syntho_ray.values.loading import ValuesInput

    chosen = (("platform", platform), ("registry", registry))
    flags = [f"{key}={value}" for key, value in chosen if value]
    return ValuesInput(
        files=[str(v) for v in values or []],
        set_values=set_values or [],
        set_string=[*(set_string or []), *flags],
        set_json=set_json or [],
        set_file=set_file or [],
    )
