"""The `syntho-ray` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from syntho_ray.errors import SynthoRayError
from syntho_ray.naming import DEFAULT_NAMESPACE, DEFAULT_RELEASE, Release

app = typer.Typer(
    name="syntho-ray",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Render and deploy Syntho's Ray cluster on Kubernetes, from the Helm chart's values.",
)

ValuesFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--values", "-f", help="Values file (repeatable; later files win).", dir_okay=False
    ),
]
SetValues = Annotated[
    list[str] | None,
    typer.Option("--set", help="Set a value: a.b=c (repeatable; Helm's syntax and types)."),
]
SetStrings = Annotated[
    list[str] | None, typer.Option("--set-string", help="Set a value, always as a string.")
]
SetJson = Annotated[
    list[str] | None, typer.Option("--set-json", help='Set a value from JSON: a.b={"c":1}.')
]
SetFiles = Annotated[
    list[str] | None, typer.Option("--set-file", help="Set a value to a file's content: a.b=path.")
]
Namespace = Annotated[str, typer.Option("--namespace", "-n", help="Target namespace.")]
ReleaseName = Annotated[str, typer.Option("--release", help="Release name (as in Helm).")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the traceback of unexpected errors.")]


@app.callback()
def _root() -> None:
    """Render and deploy Syntho's Ray cluster on Kubernetes, from the Helm chart's values."""


def _say(line: str) -> None:
    print(line, file=sys.stderr)


@app.command()
def render(
    values: ValuesFiles = None,
    set_values: SetValues = None,
    set_string: SetStrings = None,
    set_json: SetJson = None,
    set_file: SetFiles = None,
    namespace: Namespace = DEFAULT_NAMESPACE,
    release: ReleaseName = DEFAULT_RELEASE,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            "-o",
            help="Write a kustomize directory here instead of a YAML stream.",
            file_okay=False,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Write into a non-empty directory syntho-ray did not write."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No notes on stderr.")] = False,
    debug: Debug = False,
) -> None:
    """Render the release: one YAML stream on stdout, or a kustomize directory with -o."""
    from syntho_ray.loading import ValuesInput, load
    from syntho_ray.notes import next_steps, warnings
    from syntho_ray.output import directory_files, dump_yaml, write_directory
    from syntho_ray.render import render_documents

    given = ValuesInput(
        files=[str(v) for v in values or []],
        set_values=set_values or [],
        set_string=set_string or [],
        set_json=set_json or [],
        set_file=set_file or [],
    )
    with _reported(debug):
        loaded = load(given)
        target = Release(name=release, namespace=namespace)
        documents = render_documents(loaded.values, target)
        if output_dir is None:
            sys.stdout.write(dump_yaml(documents))
            sys.stdout.flush()
        else:
            write_directory(directory_files(documents, namespace), output_dir, force=force)
        for warning in warnings(loaded.values, loaded.user):
            _say(f"warning: {warning}")
        if not quiet:
            where = f"{output_dir}: " if output_dir else ""
            _say(
                f"{where}rendered {len(documents)} objects, release {release!r} in namespace "
                f"{namespace!r}."
            )
            for line in next_steps(loaded.values, target, str(output_dir) if output_dir else None):
                _say(line)


@contextmanager
def _reported(debug: bool) -> Iterator[None]:
    """Turns our errors into lines on stderr and an exit code; hides other tracebacks."""
    try:
        yield
    except SynthoRayError as error:
        for line in error.lines():
            _say(f"error: {line}")
        raise typer.Exit(error.exit_code) from None
    except Exception as error:
        if debug:
            raise
        _say(
            f"error: unexpected {type(error).__name__}: {error} "
            "(run again with --debug for the traceback)"
        )
        raise typer.Exit(1) from None


def main() -> None:
    """Console entry point."""
    app()
