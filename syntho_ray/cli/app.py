"""The `syntho-ray` application, the options commands share, and error reporting.

Every rendering command declares the render options itself, in the order `RenderInputs.of`
takes them (values, set_values, set_string, set_json, set_file, namespace, release,
platform, registry, chart), and passes them to `RenderInputs.of`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syntho_ray.cli.options import ChartChoice
from syntho_ray.errors import FAILED, SynthoRayError

if TYPE_CHECKING:
    from syntho_ray.build.naming import Release
    from syntho_ray.values.loading import Loaded, ValuesInput

app = typer.Typer(
    name="syntho-ray",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Render and deploy Syntho's Ray cluster on Kubernetes, from the Helm chart's values.",
)

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
Strict = Annotated[
    bool, typer.Option("--strict", help="Treat warnings as errors: exit 1 before any output.")
]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of unexpected errors.")]


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


def _show_version(asked: bool) -> None:
    if asked:
        from syntho_ray import __version__

        typer.echo(f"syntho-ray {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Render and deploy Syntho's Ray cluster on Kubernetes, from the Helm chart's values."""


def say(line: str) -> None:
    """A note for the user: stderr, so stdout stays pure output."""
    print(line, file=sys.stderr)


def warn(found: list[str], *, strict: bool) -> None:
    """Show warnings; with --strict they are errors and stop the command."""
    if strict and found:
        raise WarningsAsErrors(found)
    for warning in found:
        say(f"warning: {warning}")


class WarningsAsErrors(SynthoRayError):
    """Warnings, with --strict."""

    def __init__(self, found: list[str]) -> None:
        super().__init__("\n".join(found))
        self.found = found

    def lines(self) -> list[str]:
        """One line per warning."""
        return [f"{w} (--strict)" for w in self.found]


@dataclass(frozen=True)
class RenderInputs:
    """What every rendering command takes: values files, the --set family, target, platform."""

    given: ValuesInput
    namespace: str
    release: str

    @classmethod
    def of(
        cls,
        values: list[Path] | None,
        set_values: list[str] | None,
        set_string: list[str] | None,
        set_json: list[str] | None,
        set_file: list[str] | None,
        namespace: str,
        release: str,
        platform: str | None,
        registry: str | None,
        chart: ChartChoice | None = None,
    ) -> RenderInputs:
        """The inputs from a command's render options (as declared, in this order)."""
        given = values_input(values, set_values, set_string, set_json, set_file,
                             platform=platform, registry=registry)  # fmt: skip
        return cls(replace(given, chart=chart.chart if chart else None), namespace, release)

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


@contextmanager
def reported(debug: bool, *, failed: int | None = None) -> Iterator[None]:
    """Turns our errors into lines on stderr and an exit code (`failed`, if given, for every
    error: `diff`'s); hides other tracebacks."""
    try:
        yield
    except BrokenPipeError:  # the reader stopped early (`| head`): no complaint
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(failed or FAILED) from None
    except SynthoRayError as error:
        for line in error.lines():
            say(f"error: {line}")
        raise typer.Exit(failed or error.exit_code) from None
    except Exception as error:
        if debug:
            raise
        say(
            f"error: unexpected {type(error).__name__}: {error} "
            "(run again with --debug for the traceback)"
        )
        raise typer.Exit(failed or FAILED) from None
