"""The values resolved once, before any builder runs: what builders, notes, checks and status read.

The enabled worker groups with their replica bounds, the head Service's name, the KubeRay
release, and the values as rendered (OpenShift's pod settings, every image from the mirror).
"""

from __future__ import annotations

from dataclasses import dataclass

from syntho_ray.facts import kuberay
from syntho_ray.values.model import Values, WorkerGroupValues

DEFAULT_MIN_REPLICAS = 1
DEFAULT_MAX_REPLICAS = 2147483647
HEAD_SERVICE_SUFFIX = "-head-svc"  # KubeRay names the head Service `<cluster>-head-svc`

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class WorkerGroup:
    """One enabled worker group: its name, values, where they are, and its replica bounds."""

    name: str
    values: WorkerGroupValues
    path: KeyPath  # ("worker",) or ("additionalWorkerGroups", name)
    replicas: int
    min_replicas: int
    max_replicas: int


@dataclass(frozen=True)
class Resolved:
    """The values as rendered, and what the render derives from them, computed once."""

    values: Values  # OpenShift's pod settings applied, every image from the mirror
    kuberay_version: str
    worker_groups: tuple[WorkerGroup, ...]
    head_service: str


def resolve(values: Values) -> Resolved:
    """Resolve validated values for the builders."""
    from syntho_ray.build import images, openshift

    effective = images.relocated(openshift.adapted(values))
    return Resolved(
        values=effective,
        kuberay_version=kuberay.version_of(effective),
        worker_groups=worker_groups(effective),
        head_service=head_service_name(effective),
    )


def worker_groups(values: Values) -> tuple[WorkerGroup, ...]:
    """Every enabled group: extra groups by name, then the default group."""
    extra = values.additional_worker_groups or {}
    found = [
        _group(name, group, ("additionalWorkerGroups", name))
        for name, group in sorted(extra.items())
        if group is not None and group.disabled is not True
    ]
    worker = values.worker
    if worker is not None and not worker.disabled:
        found.append(_group(worker.group_name or "", worker, ("worker",)))
    return tuple(found)


def _group(name: str, group: WorkerGroupValues, path: KeyPath) -> WorkerGroup:
    low = _first(group.min_replicas, group.mini_replicas, DEFAULT_MIN_REPLICAS)
    high = _first(group.max_replicas, group.maxi_replicas, DEFAULT_MAX_REPLICAS)
    return WorkerGroup(name, group, path, _first(group.replicas, low), low, high)


def _first(*candidates: int | None) -> int:
    return next(c for c in candidates if c is not None)


def head_service_name(values: Values) -> str:
    """The head Service's name: the one `head.headService` gives it, or KubeRay's default."""
    service = values.head.head_service
    named = service.metadata.name if service is not None and service.metadata else None
    return named or f"{values.clustername}{HEAD_SERVICE_SUFFIX}"
