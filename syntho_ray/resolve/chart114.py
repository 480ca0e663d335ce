"""Chart 1.14's values for the builders: as given, with the template's defaults made explicit."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from syntho_ray.facts.charts import CHART_114
from syntho_ray.resolve.resolved import SECRET_KEY, SECRET_NAME, Resolved
from syntho_ray.values.model114 import Values114, WorkerGroup114

DEFAULT_MIN_REPLICAS = 0
DEFAULT_MAX_REPLICAS = 2147483647
DEFAULT_NUM_OF_HOSTS = 1
_Group = TypeVar("_Group", bound=WorkerGroup114)


def resolve_114(values: Values114) -> Resolved:
    """Group bounds and hosts with the template's defaults; with `manualSecretName`, the
    license env that reads `ray-secret` reads that Secret instead (the chart left it on a
    Secret it no longer renders, so the pods never started)."""
    cluster = values.cluster
    groups = cluster.additional_worker_groups
    common = cluster.common
    resolved = cluster.model_copy(
        update={
            "common": common.model_copy(
                update={"container_env": _license_env(common.container_env, values)}
            ),
            "worker": _bounded(cluster.worker),
            "additional_worker_groups": None
            if groups is None
            else {name: _bounded(group) for name, group in groups.items()},
        }
    )
    return Resolved(
        values=values.model_copy(update={"cluster": resolved}),
        facts=CHART_114,
        kuberay=CHART_114.kuberay or "",
    )


def _bounded(group: _Group | None) -> _Group | None:
    """minReplicas 0, maxReplicas 2147483647 and numOfHosts 1 where left out. An explicit 0
    is kept (the chart's `default` turned a maxReplicas of 0 into 2147483647)."""
    if group is None:
        return None
    return group.model_copy(
        update={
            "min_replicas": _given(group.min_replicas, DEFAULT_MIN_REPLICAS),
            "max_replicas": _given(group.max_replicas, DEFAULT_MAX_REPLICAS),
            "num_of_hosts": group.num_of_hosts or DEFAULT_NUM_OF_HOSTS,
        }
    )


def _given(value: int | None, default: int) -> int:
    return default if value is None else value


def _license_env(env: list[Any] | None, values: Values114) -> list[Any] | None:
    manual = values.manual_secret_name
    if not manual or not env:
        return env
    return [_repointed(var, manual) for var in env]


def _repointed(var: Any, secret: str) -> Any:
    ref = var.value_from.secret_key_ref if var.value_from else None
    if ref is None or ref.name != SECRET_NAME or ref.key != SECRET_KEY:
        return var
    moved = copy.deepcopy(var)
    moved.value_from.secret_key_ref.name = secret
    return moved
