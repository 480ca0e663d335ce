"""`syntho-ray convert`: a values file of one chart generation in the other's layout."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from syntho_ray.cli.app import app, say
from syntho_ray.cli.command import chosen, taking
from syntho_ray.cli.inputs import FilesAndSets
from syntho_ray.cli.options import ChartChoice


@app.command(cls=taking(FilesAndSets))
def convert(
    ctx: typer.Context,
    chart: Annotated[
        ChartChoice,
        typer.Option("--chart", help="The chart generation to write the values for."),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write this file (mode 0600) instead of stdout."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write the values in the other chart generation's layout; name what cannot be carried."""
    from syntho_ray.resolve.convert import convert_text
    from syntho_ray.values.loading import load

    given = chosen(ctx, FilesAndSets).given()
    text, lost = convert_text(load(given), chart.chart, list(given.files))
    if output is None:
        sys.stdout.write(text)
    else:
        _write_private(output, text, force=force)
        say(f"{output}: chart {chart.chart} values written")
    for line in lost:
        say(f"note: not carried over: {line}")


def _write_private(path: Path, text: str, *, force: bool) -> None:
    """Write `text` to a new file only its owner reads (it may hold the license)."""
    import os

    from syntho_ray.errors import OutputError

    if path.exists() and not force:
        raise OutputError(f"{path} exists; choose another file or use --force")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
