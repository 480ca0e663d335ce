"""`syntho-ray render`: the release as a YAML stream or a kustomize directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from syntho_ray.cli.app import Strict, WarningsAsErrors, app, say, write_stdout
from syntho_ray.cli.inputs import RENDERING, render_inputs
from syntho_ray.errors import UsageError

if TYPE_CHECKING:
    from syntho_ray.build.naming import Release
    from syntho_ray.values.layouts import AnyValues

OutputDir = Annotated[
    Path | None,
    typer.Option(
        "--output-dir",
        "-o",
        metavar="DIR",
        help="Write a kustomize directory here instead of a YAML stream.",
        file_okay=False,
    ),
]

CrdFiles = Annotated[
    Path | None,
    typer.Option(
        "--crds",
        metavar="DIR",
        help="With -o: put the KubeRay CRD files of DIR under crds/ (air-gapped clusters).",
        file_okay=False,
    ),
]

ForceDirectory = Annotated[
    bool,
    typer.Option("--force", help="Write into a non-empty directory syntho-ray did not write."),
]

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No notes on stderr.")]


@app.command(cls=RENDERING)
def render(
    ctx: typer.Context,
    output_dir: OutputDir = None,
    crds: CrdFiles = None,
    force: ForceDirectory = False,
    quiet: Quiet = False,
    strict: Strict = False,
) -> None:
    """Render the release: one YAML stream on stdout, or a kustomize directory with -o."""
    from syntho_ray.notes import next_steps, ray_release
    from syntho_ray.output.stream import dump_yaml
    from syntho_ray.render import render_documents

    if crds and output_dir is None:
        raise UsageError("--crds goes with -o DIR: the CRD files are written under DIR/crds/")
    chosen, loaded = render_inputs(ctx).load(strict=strict)
    documents = render_documents(loaded.values, chosen)
    if output_dir is None:
        write_stdout(dump_yaml(documents))
    else:
        _write_kustomize(documents, loaded.values, chosen, output_dir, crds, force=force)
    if not quiet:
        where = f"{output_dir}: " if output_dir else ""
        say(
            f"{where}rendered {len(documents)} objects, release {chosen.name!r} in namespace "
            f"{chosen.namespace!r}."
        )
        for line in ray_release(loaded.values):
            say(line)
        for line in next_steps(loaded.values, chosen, str(output_dir) if output_dir else None):
            say(line)


def _write_kustomize(
    documents: list[dict[str, Any]],
    values: AnyValues,
    chosen: Release,
    output_dir: Path,
    crds: Path | None,
    *,
    force: bool,
) -> None:
    """The documents as a kustomize directory (with the CRD files of `crds` under crds/)."""
    from syntho_ray.build import openshift
    from syntho_ray.output.directory import write_directory
    from syntho_ray.output.kustomize import directory_files
    from syntho_ray.render import resolved_values

    version = resolved_values(values).kuberay
    files = directory_files(
        documents,
        chosen.namespace,
        version,
        openshift.components(values),
        offline_crds(crds, version) if crds else (),
    )
    write_directory(files, output_dir, force=force, notice=say)


@app.command(cls=RENDERING)
def validate(ctx: typer.Context, strict: Strict = False) -> None:
    """Check the values without writing anything; report (on stdout) the warnings and each
    pod's Pod Security level."""
    from syntho_ray.notes import warnings
    from syntho_ray.podsecurity import evaluate, pod_templates
    from syntho_ray.render import build_objects

    chosen, loaded = render_inputs(ctx).load(warnings=False)
    found = warnings(loaded.values, loaded.user)
    if strict and found:
        raise WarningsAsErrors(found)
    objects = build_objects(loaded.values, chosen)
    print(
        f"valid: {len(objects)} objects for release {chosen.name!r} in namespace "
        f"{chosen.namespace!r}"
    )
    for warning in found:
        print(f"warning: {warning}")
    print("Pod Security Standards (privileged < baseline < restricted):")
    for name, spec in pod_templates(objects):
        report = evaluate(name, spec)
        print(f"  {report.pod}: {report.level}")
        for reason in report.reasons:
            print(f"    - {reason}")


def offline_crds(directory: Path, kuberay_version: str) -> list[dict[str, Any]]:
    """The KubeRay CRDs of `directory`, refused unless they can take the render's RayCluster."""
    from syntho_ray.errors import SynthoRayError
    from syntho_ray.output.crds import load_crds, raycluster_problem

    found = load_crds(directory)
    if problem := raycluster_problem(found, kuberay_version):
        raise SynthoRayError(f"--crds {directory}: {problem}")
    return found
