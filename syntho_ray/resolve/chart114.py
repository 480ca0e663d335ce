"""Chart 1.14's values for the builders: as given, with the template's defaults made explicit."""

from __future__ import annotations

import copy
from dataclasses import fields
from typing import Any, TypeVar

from syntho_ray.facts.charts import CHART_114
from syntho_ray.resolve import resolved as shape
from syntho_ray.resolve.resolved import SECRET_KEY, SECRET_NAME, Resolved
from syntho_ray.values.model114 import (
    RayClusterValues,
    Values114,
    WorkerGroup114,
    replica_bounds_114,
)

DEFAULT_NUM_OF_HOSTS = 1
_Shape = TypeVar("_Shape")


def _carried(shape: type[_Shape], given: Any, **changed: Any) -> _Shape:
    """`shape` with the fields of the same name from the values `given`, but `changed`."""
    names = [f.name for f in fields(shape) if f.name not in changed]  # type: ignore[arg-type]
    return shape(**{name: getattr(given, name) for name in names}, **changed)


def resolve_114(values: Values114) -> Resolved:
    """Group bounds and hosts with the template's defaults; with `manualSecretName`, the
    license env that reads `ray-secret` reads that Secret instead (the chart left it on a
    Secret it no longer renders, so the pods never started)."""
    operator = values.operator
    settings = _carried(
        shape.Settings,
        values,
        operator=_carried(
            shape.Operator,
            operator,
            service=_carried(shape.OperatorService, operator.service),
            logging=_carried(shape.OperatorLogging, operator.logging),
            batch_scheduler=_carried(shape.BatchScheduler, operator.batch_scheduler),
        ),
        cluster=_cluster(values.cluster, values.manual_secret_name),
    )
    return Resolved(values=settings, facts=CHART_114, kuberay=CHART_114.kuberay or "")


def _cluster(cluster: RayClusterValues, manual_secret: str | None) -> shape.RayClusterSettings:
    groups = cluster.additional_worker_groups
    worker = cluster.worker
    return _carried(
        shape.RayClusterSettings,
        cluster,
        common_env=_license_env(cluster.common.container_env, manual_secret),
        head=_carried(shape.Head, cluster.head),
        worker=None if worker is None else _bounded(worker, worker.group_name),
        additional_worker_groups=None
        if groups is None
        else {name: None if g is None else _bounded(g, None) for name, g in groups.items()},
        service_type=cluster.service.type,
    )


def _bounded(group: WorkerGroup114, name: str | None) -> shape.WorkerGroup:
    """The replica bounds as the checks read them (`replica_bounds_114`: an explicit 0 is
    kept, where the chart's `default` turned a maxReplicas of 0 into 2147483647), numOfHosts
    1 where left out."""
    _, low, high = replica_bounds_114(group)
    return _carried(
        shape.WorkerGroup,
        group,
        min_replicas=low,
        max_replicas=high,
        num_of_hosts=group.num_of_hosts or DEFAULT_NUM_OF_HOSTS,
        group_name=name,
    )


def _license_env(env: list[Any] | None, manual_secret: str | None) -> list[Any] | None:
    if not manual_secret or not env:
        return env
    return [_repointed(var, manual_secret) for var in env]


def _repointed(var: Any, secret: str) -> Any:
    ref = var.value_from.secret_key_ref if var.value_from else None
    if ref is None or ref.name != SECRET_NAME or ref.key != SECRET_KEY:
        return var
    moved = copy.deepcopy(var)
    moved.value_from.secret_key_ref.name = secret
    return moved
