"""The RayCluster custom resource as typed models.

Group, version, kind and plural live in `facts/kinds.py`; the classes carry
the two tables (`openapi_types`, `attribute_map`) the `kubernetes` client's
serialiser reads, so they serialise like any `V1*` model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from syntho_ray.facts.kinds import RAYCLUSTER_KIND
from syntho_ray.k8s import client


def _camel(name: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m[1].upper(), name)


class _ApiModel:
    """Derives the client serialiser's tables from a dataclass's fields."""

    openapi_types: ClassVar[dict[str, str]]
    attribute_map: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = [n for n, t in cls.__annotations__.items() if "ClassVar" not in str(t)]
        cls.openapi_types = {n: "object" for n in names}
        cls.attribute_map = {n: _camel(n) for n in names}


@dataclass(frozen=True)
class HeadGroupSpec(_ApiModel):
    """The head pod and how Ray starts on it."""

    ray_start_params: dict[str, str]
    template: client.V1PodTemplateSpec
    service_type: str | None = None
    head_service: client.V1Service | None = None


@dataclass(frozen=True)
class WorkerGroupSpec(_ApiModel):
    """A group of identical worker pods."""

    group_name: str
    ray_start_params: dict[str, str]
    template: client.V1PodTemplateSpec
    replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    num_of_hosts: int | None = None


@dataclass(frozen=True)
class RayClusterSpec(_ApiModel):
    """`spec` of a RayCluster."""

    head_group_spec: HeadGroupSpec
    worker_group_specs: list[WorkerGroupSpec] | None = None
    ray_version: str | None = None
    enable_in_tree_autoscaling: bool | None = None
    autoscaler_options: dict[str, Any] | None = None


@dataclass(frozen=True)
class RayCluster(_ApiModel):
    """A RayCluster object."""

    api_version: str
    metadata: client.V1ObjectMeta
    spec: RayClusterSpec
    kind: str = RAYCLUSTER_KIND
