"""From values to Kubernetes objects, in apply order, and to plain documents."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from syntho_ray import collector
from syntho_ray.build import license, operator, raycluster, rbac, storage
from syntho_ray.build.naming import DEFAULT_NAMESPACE, DEFAULT_RELEASE, Release
from syntho_ray.facts.charts import Chart
from syntho_ray.facts.kinds import apply_rank
from syntho_ray.k8s.data import to_document
from syntho_ray.resolve import Resolved, resolve
from syntho_ray.values.layouts import AnyValues

Builder = Callable[[Resolved, Release], list[Any]]
BUILDERS: tuple[Builder, ...] = (
    rbac.build,
    license.build,
    storage.build,
    operator.build,
    raycluster.build,
)


def resolved_values(values: AnyValues) -> Resolved:
    """The values as the builders read them (chart 1.13's after its platform and mirror)."""
    return resolve(values)


class KubeObject(Protocol):
    """What every built object is: a `kubernetes` client model, or our `RayCluster` model."""

    api_version: str
    kind: str
    metadata: Any  # a V1ObjectMeta


def build_objects(values: AnyValues, release: Release | None = None) -> list[KubeObject]:
    """Every object of the release as typed models, in apply order."""
    release = release or Release()
    resolved = resolved_values(values)
    objects = [obj for build in BUILDERS for obj in build(resolved, release)]
    return sorted(objects, key=lambda o: (apply_rank(o.kind), o.metadata.name))


def render_documents(values: AnyValues, release: Release | None = None) -> list[dict[str, Any]]:
    """Every object of the release as plain, deterministic data."""
    with collector.paused():
        return [to_document(o) for o in build_objects(values, release)]


def render_yaml(
    values: Mapping[str, Any] | AnyValues,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    release: str = DEFAULT_RELEASE,
    chart: Chart | None = None,
) -> str:
    """Values (a mapping as in a values file, or a model) to one multi-document YAML stream.

    `chart` ("1.13" or "1.14") is the generation a mapping is written for; by default the one
    its layout shows, else 1.13.
    """
    from syntho_ray.output.stream import dump_yaml
    from syntho_ray.values.loading import values_from_mapping

    with collector.paused():
        model = (
            values if not isinstance(values, Mapping) else values_from_mapping(values, chart=chart)
        )
        return dump_yaml(build_objects(model, Release(name=release, namespace=namespace)))


@dataclass(frozen=True)
class RenderNotes:
    """What a render tells its user (the command line prints it on stderr), for the library."""

    warnings: list[str]  # things that render but are probably not what was meant
    ray_address: str  # where the Syntho Core API connects to the Ray cluster
    next_steps: list[str]  # the commands to run after the render


def render_notes(
    values: Mapping[str, Any] | AnyValues,
    *,
    namespace: str = DEFAULT_NAMESPACE,
    release: str = DEFAULT_RELEASE,
    chart: Chart | None = None,
    output_dir: str | None = None,
) -> RenderNotes:
    """The warnings, `ray_address` and next steps of rendering `values` (a mapping as in a
    values file, or a model; a model has lost which keys were given, so the warnings about
    settings of a disabled group need the mapping). `output_dir`: the steps for `-o DIR`."""
    from syntho_ray import notes
    from syntho_ray.values.loading import values_from_mapping

    given = values if isinstance(values, Mapping) else {}
    model = values_from_mapping(given, chart=chart) if isinstance(values, Mapping) else values
    target = Release(name=release, namespace=namespace)
    return RenderNotes(
        warnings=notes.warnings(model, dict(given)),
        ray_address=notes.ray_address(resolved_values(model), target),
        next_steps=notes.next_steps(model, target, output_dir),
    )
