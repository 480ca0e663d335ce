"""`syntho-ray convert`: a values file of one chart generation in the other's layout."""

from __future__ import annotations

from typing import Annotated

import typer

from syntho_ray.cli.command import chosen, taking
from syntho_ray.cli.common import app, say
from syntho_ray.cli.inputs import FilesAndSets
from syntho_ray.cli.kits import ValuesFile
from syntho_ray.cli.options import ChartChoice


@app.command(cls=taking(FilesAndSets, after=(ValuesFile,)))
def convert(
    ctx: typer.Context,
    chart: Annotated[
        ChartChoice,
        typer.Option("--chart", help="The chart generation to write the values for."),
    ],
) -> None:
    """Write the values in the other chart generation's layout; name what cannot be carried."""
    from syntho_ray.resolve.convert import convert_text
    from syntho_ray.values.loading import load

    given = chosen(ctx, FilesAndSets).given()
    text, lost = convert_text(load(given), chart.chart, list(given.files))
    to = chosen(ctx, ValuesFile)
    to.write(text)
    if to.output is not None:
        say(f"{to.output}: chart {chart.chart} values written")
    for line in lost:
        say(f"note: not carried over: {line}")
