"""Moving a values file between the chart generations: the same release, in the other layout.

`convert` writes only what differs from the target chart's defaults, and names, one line each,
what the target chart cannot carry.

- 1.13 to 1.14: the resolved values (chart 1.13's additions to every pod written out: the
  shared claims, the chmod init container, the workflow `storage` start parameter, the license
  env) are the 1.14 layout already. The operator image follows the target chart unless given:
  chart 1.14's operator is KubeRay 1.2.2.
- 1.14 to 1.13: key by key; what chart 1.13 adds by itself is taken out again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import yaml
from pydantic import BaseModel

from syntho_ray.errors import UsageError
from syntho_ray.facts.charts import CHART_114, FACTS, SHARED_VOLUMES, Chart
from syntho_ray.resolve.resolved import LICENSE_ENV, Resolved, Settings, WorkerGroup
from syntho_ray.values.model import Values, chart_defaults
from syntho_ray.values.model114 import (
    BatchScheduler114,
    CommonValues,
    DefaultWorker114,
    Head114,
    LoggingValues,
    OperatorService,
    OperatorValues,
    RayClusterValues,
    RayService114,
    Values114,
    WorkerGroup114,
    chart_defaults_114,
)

if TYPE_CHECKING:
    from syntho_ray.values.loading import Loaded

# Chart 1.14's operator keys by chart 1.13's name (where it differs). The operator is the
# target chart's (KubeRay 1.2.2): only the settings the user gave are carried.
OPERATOR_FROM_113 = {"image": "operatorImage"}
CHMOD_INIT = "init-busybox"  # chart 1.14's name of the head's chmod init container
_SHARED_NAMES = frozenset(volume for volume, _, _ in SHARED_VOLUMES)


@dataclass(frozen=True)
class Converted:
    """Values in the target chart's layout, and what could not be carried over."""

    chart: Chart
    data: dict[str, Any]
    lost: list[str]


def convert_text(loaded: Loaded, to: Chart, files: list[str]) -> tuple[str, list[str]]:
    """The values file for chart `to` (a header naming where it came from), and what could
    not be carried over."""
    converted = convert(loaded.values, loaded.user, to)
    facts, source = FACTS[to], FACTS[loaded.chart]
    origin = f": {', '.join(files)}" if files else ""
    header = (
        f"# Values of chart {facts.name} {facts.version}, converted by syntho-ray convert from "
        f"values of chart {source.name} {source.version}{origin}\n"
    )
    data = converted.data
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True) if data else "{}\n"
    return header + body, converted.lost


def convert(values: Values | Values114, user: dict[str, Any], to: Chart) -> Converted:
    """`values` (as loaded; `user` is what the files and --set gave) in chart `to`'s layout."""
    if (to == "1.13") == isinstance(values, Values):
        raise UsageError(
            f"the values are in chart {to}'s layout already; --chart names the chart to convert to"
        )
    if isinstance(values, Values):
        return _to_114(values, user)
    from syntho_ray.resolve.back113 import to_113

    data, lost = to_113(values)
    defaults = chart_defaults()
    return Converted("1.13", _with_shared(user, minimal(_filled(data, defaults), defaults)), lost)


SHARED_KEYS = ("SynthoLicense", "manualSecretName", "storage")  # the same in both charts


def _with_shared(user: dict[str, Any], converted: dict[str, Any]) -> dict[str, Any]:
    """The keys both charts read alike, first and as the user gave them; then the rest."""
    rest = {k: v for k, v in converted.items() if k not in SHARED_KEYS}
    return {key: user[key] for key in SHARED_KEYS if key in user} | rest


def _filled(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`data` with the keys only the target layout has (and `data` lacks) at their defaults,
    at the top and in each worker group, so they stay as they are."""
    out = data | {key: value for key, value in defaults.items() if key not in data}
    for key in ("head", "worker"):
        if isinstance(out.get(key), dict) and isinstance(defaults.get(key), dict):
            out[key] = {**defaults[key], **out[key]}
    groups: dict[str, Any] = out.get("additionalWorkerGroups") or {}
    only_113 = ("initContainerImage", "initContainerSecurityContext")
    for name, group in groups.items():
        if group is not None:
            groups[name] = {**{k: defaults["worker"][k] for k in only_113}, **group}
    return out


def _to_114(values: Values, user: dict[str, Any]) -> Converted:
    from syntho_ray.resolve import resolve

    resolved = resolve(values)
    data = _dumped(resolved)
    lost = _lost_114(values, user)
    defaults = chart_defaults_114()
    # The RayCluster is named by fullnameOverride (1.13's clustername); nameOverride is unused.
    data["ray-cluster"]["nameOverride"] = defaults["ray-cluster"]["nameOverride"]
    for key in SHARED_KEYS:
        data[key] = defaults.get(key)  # written as the user gave them, below
    operator, chart = data["kuberay-operator"], defaults["kuberay-operator"]
    for key in operator:
        if OPERATOR_FROM_113.get(key, key) not in user:
            operator[key] = chart.get(key)
    _shared_license_env(data["ray-cluster"])
    for path, group in _groups(data["ray-cluster"]):
        group["initContainers"] = _without_wait(group.get("initContainers"), path)
    head_init = data["ray-cluster"]["head"].get("initContainers") or []
    for container in head_init:
        if container.get("name") == "init":
            container["name"] = CHMOD_INIT
    return Converted("1.14", _with_shared(user, minimal(data, defaults)), lost)


def _dumped(resolved: Resolved) -> dict[str, Any]:
    """The resolved values as plain data in chart 1.14's layout, every key (None included)
    by its alias, in the order of chart 1.14's values."""
    dumped: dict[str, Any] = _as_114(resolved.values).model_dump(
        mode="json", by_alias=True, exclude_none=False, warnings=False
    )
    return dumped


def _as_114(settings: Settings) -> Values114:
    """The resolved settings as chart 1.14's values (not checked again: they were)."""
    operator, cluster = settings.operator, settings.cluster
    return _built(
        Values114,
        settings,
        operator=_built(
            OperatorValues,
            operator,
            service=_built(OperatorService, operator.service),
            logging=_built(LoggingValues, operator.logging),
            batch_scheduler=_built(BatchScheduler114, operator.batch_scheduler),
        ),
        cluster=_built(
            RayClusterValues,
            cluster,
            common=CommonValues.model_construct(container_env=cluster.common_env),
            head=_built(Head114, cluster.head),
            worker=cluster.worker and _built(DefaultWorker114, cluster.worker),
            additional_worker_groups=_extra_groups(cluster.additional_worker_groups),
            service=RayService114.model_construct(type=cluster.service_type),
        ),
    )


def _extra_groups(groups: dict[str, WorkerGroup | None] | None) -> Any:
    if groups is None:
        return None
    return {name: group and _built(WorkerGroup114, group) for name, group in groups.items()}


_Model = TypeVar("_Model", bound=BaseModel)


def _built(model: type[_Model], given: Any, **changed: Any) -> _Model:
    """`model` with the fields of the same name from `given`, but `changed`."""
    names = [name for name in model.model_fields if name not in changed]
    return model.model_construct(**{name: getattr(given, name) for name in names}, **changed)


def _groups(cluster: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = [("head", cluster["head"])]
    if cluster.get("worker"):
        found.append(("worker", cluster["worker"]))
    extra = cluster.get("additionalWorkerGroups") or {}
    found += [(f"additionalWorkerGroups.{n}", g) for n, g in sorted(extra.items()) if g]
    return found


def _shared_license_env(cluster: dict[str, Any]) -> None:
    """The license env each 1.13 group ends with, once in `common.containerEnv` (1.14's place)."""
    groups = [group for _, group in _groups(cluster)]
    lasts = [(g.get("containerEnv") or [None])[-1] for g in groups]
    first = lasts[0]
    if not first or first.get("name") != LICENSE_ENV or any(last != first for last in lasts):
        return
    for group in groups:
        group["containerEnv"] = group["containerEnv"][:-1]
    cluster["common"] = {"containerEnv": [first]}


def _without_wait(init: list[dict[str, Any]] | None, path: str) -> list[dict[str, Any]] | None:
    """A worker's init containers without chart 1.13's wait-for-head (KubeRay 1.2.2 injects its
    own wait for the head into every worker)."""
    if path == "head" or not init:
        return init
    kept = [c for c in init if not (c.get("name") == "init" and "nslookup" in str(c["command"]))]
    return kept


def _lost_114(values: Values, user: dict[str, Any]) -> list[str]:
    found = []
    kuberay = CHART_114.kuberay
    version = values.kuberay.version if values.kuberay else None
    if version and version != kuberay:
        found.append(
            f"kuberay.version {version}: chart 1.14 runs KubeRay {kuberay} (its operator flags, "
            "RBAC and RayCluster ray.io/v1)"
        )
    if "operatorImage" not in user:
        found.append(
            f"operatorImage: chart 1.13's default ({values.operator_image.reference}) is not "
            f"carried over; chart 1.14's operator image and settings (KubeRay {kuberay}) apply "
            "where the values do not set them"
        )
    if values.platform == "openshift":
        found.append(
            "platform: openshift: chart 1.14 has no platform; its pod settings are written out "
            "(no root init container, restricted containers), but not the CRI-O pids limit "
            "(render DIR/openshift with chart 1.13 for the cluster admin)"
        )
    if values.registry:
        found.append(
            f"registry {values.registry}: chart 1.14 has no registry; every image is written out "
            "with its mirror path"
        )
    if values.worker is not None or values.additional_worker_groups:
        found.append(
            "the workers' wait-for-head init container of chart 1.13 is left out: KubeRay "
            f"{kuberay} injects its own wait for the head"
        )
    return found


_UNORDERED = frozenset({"volumes", "volumeMounts", "ports", "tolerations", "imagePullSecrets"})


def minimal(data: Any, defaults: Any) -> Any:
    """`data` without what equals `defaults`, for Helm to merge over them: maps compared key by
    key, lists whole (volumes, mounts, ports, tolerations in any order); empty means absent,
    and a default `data` leaves empty is written as null, which removes it."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*data, *defaults]):
        value, default = data.get(key), defaults.get(key)
        if _empty(value):
            if not _empty(default):
                out[key] = None
        elif isinstance(value, dict) and isinstance(default, dict):
            if inner := minimal(value, default):
                out[key] = inner
        elif not _same(key, value, default):
            out[key] = value
    return out


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return value is None or value == "" or value == []


def _same(key: str, value: Any, default: Any) -> bool:
    value, default = _cleaned(value), _cleaned(default)
    if key in _UNORDERED and isinstance(value, list) and isinstance(default, list):
        return sorted(map(repr, value)) == sorted(map(repr, default))
    return bool(value == default)


def _cleaned(value: Any) -> Any:
    """`value` without its empty parts, for comparing (an empty securityContext is none)."""
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items() if not _empty(v)}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value
