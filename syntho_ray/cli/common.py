"""The `syntho-ray` application, its common options, warnings and error reporting."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from syntho_ray.errors import FAILED, OutputError, SynthoRayError

app = typer.Typer(
    name="syntho-ray",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Render and deploy Syntho's Ray cluster on Kubernetes, from the Helm chart's values.",
)

Strict = Annotated[
    bool, typer.Option("--strict", help="Treat warnings as errors: exit 1 before any output.")
]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of unexpected errors.")]


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


def write_stdout(text: str) -> None:
    """Write (and flush) standard output; a full disk or a dead device is an OutputError."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        _drop_stdout()
        raise OutputError(f"cannot write standard output: {error.strerror or error}") from None


def _drop_stdout() -> None:
    """Point standard output at /dev/null: what is still buffered cannot fail again at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@contextmanager
def reported(debug: bool, *, failed: int | None = None) -> Iterator[None]:
    """Turns our errors into lines on stderr and an exit code (`failed`, if given, for every
    error: `diff`'s); hides other tracebacks."""
    try:
        yield
        write_stdout("")
    except typer.Exit:  # the command's own exit code (diff's "they differ")
        raise
    except BrokenPipeError:  # the reader stopped early (`| head`): no complaint
        _drop_stdout()
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
