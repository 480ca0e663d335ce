"""`syntho-ray images`, `init` and `schema`: air-gapped mirrors, starter values, editor schema."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from syntho_ray.cli.command import Command, chosen, taking
from syntho_ray.cli.common import app, say, warn
from syntho_ray.cli.inputs import RENDERING, Platform, Registry, render_inputs
from syntho_ray.cli.options import ChartOption

OutputFile = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write this file instead of stdout.", dir_okay=False
    ),
]
ValuesOut = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Write this file instead of stdout (mode 0600: values hold the license).",
        dir_okay=False,
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")]


@dataclass(frozen=True)
class ValuesFile:
    """An option group: where a command writes the values it makes (init, convert)."""

    output: ValuesOut = None
    force: Force = False

    def write(self, text: str) -> None:
        """`text` on stdout, or in a file only its owner reads (one that exists: with --force)."""
        if self.output is None:
            sys.stdout.write(text)
            return
        from syntho_ray.errors import OutputError

        if self.output.exists() and not self.force:
            raise OutputError(f"{self.output} exists; choose another file or use --force")
        _write(self.output, text, private=True)


class Profile(StrEnum):
    """The deployment guide's two layouts."""

    development = "development"
    production = "production"


@app.command(cls=RENDERING)
def images(ctx: typer.Context) -> None:
    """Print every image the render uses, one per line: to pre-pull or copy to a mirror."""
    from syntho_ray.build.images import autoscaler_image, used_images
    from syntho_ray.render import render_documents, resolved_values

    chosen, loaded = render_inputs(ctx).load(warnings=False)
    documents = render_documents(loaded.values, chosen)
    autoscaler = autoscaler_image(resolved_values(loaded.values))
    for image in used_images(documents, autoscaler):
        print(image)


ProfileOption = Annotated[
    Profile,
    typer.Option(
        "--profile",
        metavar="[development|production]",
        help="development: one Ray head; production: a head and a worker pool.",
    ),
]

Cpus = Annotated[
    int,
    typer.Option("--cpus", metavar="N", help="CPUs of one machine (the head; each worker)."),
]

Memory = Annotated[
    str,
    typer.Option("--memory", metavar="QUANTITY", help="Memory of one machine, for example 64G."),
]


@app.command(cls=taking(after=(ValuesFile,)))
def init(
    ctx: typer.Context,
    profile: ProfileOption,
    cpus: Cpus = 16,
    memory: Memory = "64G",
    platform: Platform = None,
    registry: Registry = None,
    chart: ChartOption = None,
) -> None:
    """Write a commented starter values file with one of the deployment guide's layouts
    (in chart 1.14's values layout with --chart 1.14)."""
    import yaml

    from syntho_ray.notes import warnings
    from syntho_ray.values.loading import values_from_mapping
    from syntho_ray.values.starter import LICENSE_SECRET, starter_values

    generation = chart.chart if chart else "1.13"
    text = starter_values(
        profile.value,
        cpus=cpus,
        memory=memory,
        platform=platform,
        registry=registry,
        chart=generation,
    )
    data = yaml.safe_load(text)
    warn(warnings(values_from_mapping(data, source="init"), data), strict=False)
    to = chosen(ctx, ValuesFile)
    to.write(text)
    if (output := to.output) is None:
        return
    layout = " (chart 1.14's layout)" if generation == "1.14" else ""
    say(f"{output}: {profile.value} values written{layout}. Next:")
    say(
        f"  kubectl -n <namespace> create secret generic {LICENSE_SECRET} "
        "--from-file=license_key=license.txt   # the key alone, no trailing newline"
    )
    say(f"  syntho-ray render -f {output} -o manifests/")


@app.command(cls=Command)
def schema(output: OutputFile = None, chart: ChartOption = None) -> None:
    """Print the JSON Schema of a values file, for editors (the YAML language server)."""
    from syntho_ray.values.layouts import layout
    from syntho_ray.values.schema import values_schema

    model = layout(chart.chart if chart else "1.13").model
    text = json.dumps(values_schema(model), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        _write(output, text)


def _write(path: Path, text: str, *, private: bool = False) -> None:
    """Write `text` to `path`; `private`: mode 0600 (a file that exists too)."""
    import os

    from syntho_ray.errors import OutputError

    try:
        descriptor = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666
        )
        if private:
            os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
