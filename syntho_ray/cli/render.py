"""`syntho-ray render`: the release as a YAML stream or a kustomize directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from syntho_ray.cli.common import Strict, WarningsAsErrors, app, say, write_stdout
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
    from syntho_ray.output.stream import document_chunks

    if crds and output_dir is None:
        raise UsageError("--crds goes with -o DIR: the CRD files are written under DIR/crds/")
    chosen, values = render_inputs(ctx).values(strict=strict)
    made = _Made.of(values, chosen, str(output_dir) if output_dir else None)
    del values  # the objects are written without the values beside them (large files' memory)
    if output_dir is None:
        for obj in made.objects:
            for chunk in document_chunks(obj):
                write_stdout(chunk)
    else:
        _write_kustomize(made, chosen.namespace, output_dir, crds, force=force)
    if not quiet:
        where = f"{output_dir}: " if output_dir else ""
        say(
            f"{where}rendered {len(made.objects)} objects, release {chosen.name!r} in namespace "
            f"{chosen.namespace!r}."
        )
        for line in made.notes:
            say(line)


@dataclass(frozen=True)
class _Made:
    """A render's objects, and all else it needs of the values: so that these can go."""

    objects: list[Any]
    notes: list[str]  # the Ray release checked, the next steps
    kuberay: str  # the KubeRay release, whose CRDs `-o` refers to
    components: dict[str, list[dict[str, Any]]]  # cluster-wide documents, for `-o`

    @classmethod
    def of(cls, values: AnyValues, chosen: Release, directory: str | None) -> _Made:
        from syntho_ray.build import openshift
        from syntho_ray.notes import next_steps, ray_release
        from syntho_ray.render import build_objects, resolved_values

        kuberay = resolved_values(values).kuberay
        notes = [*ray_release(values), *next_steps(values, chosen, directory)]
        components = openshift.components(values)
        return cls(build_objects(values, chosen), notes, kuberay, components)


def _write_kustomize(
    made: _Made, namespace: str, output_dir: Path, crds: Path | None, *, force: bool
) -> None:
    """The objects as a kustomize directory (with the CRD files of `crds` under crds/)."""
    from syntho_ray.output.directory import write_directory
    from syntho_ray.output.kustomize import directory_files

    files = directory_files(
        made.objects,
        namespace,
        made.kuberay,
        made.components,
        offline_crds(crds, made.kuberay) if crds else (),
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
