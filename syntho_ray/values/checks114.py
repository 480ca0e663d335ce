"""Whole-values checks of chart 1.14's values: names, worker groups, pods, operator flags."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from syntho_ray.errors import KeyPath
from syntho_ray.facts import kuberay
from syntho_ray.facts.charts import CHART_114
from syntho_ray.values.checks import (
    Finding,
    cluster_name,
    dns_1035,
    group_findings,
    ignored_env,
    object_names,
    pod_findings,
    ray_warnings,
    resource_warnings,
    shared_problems,
    storage_findings,
)
from syntho_ray.values.model114 import (
    Values114,
    WorkerGroup114,
    chart_defaults_114,
    replica_bounds_114,
)
from syntho_ray.values.suggest import env_suggestion
from syntho_ray.values.view import ValuesView, images_of

CLUSTER: KeyPath = ("ray-cluster",)
OPERATOR: KeyPath = ("kuberay-operator",)
KUBERAY = CHART_114.kuberay or ""


def problems(values: Values114) -> list[Finding]:
    """Everything that would make the render invalid or the cluster fail."""
    groups = [
        (name, path, group, replica_bounds_114(group))
        for name, path, group in enabled_groups(values)
    ]
    return [
        *_names(values),
        *group_findings(groups),
        *pod_findings(pods(values), frozenset(), values.cluster.head.ray_version),
        *storage_findings(values.storage.data_storage),
        *_operator(values),
        *shared_problems(view_114(values)),
        *_common_env(values),
    ]


def view_114(values: Values114) -> ValuesView:
    """The parts of chart 1.14's values the shared checks read, at their key paths."""
    operator, cluster, ray_pods = values.operator, values.cluster, pods(values)
    images = [((*OPERATOR, "image"), operator.image), ((*CLUSTER, "image"), cluster.image)]
    images += [((*path, "image"), pod.image) for path, pod in ray_pods if pod.image is not None]
    references = images_of(ray_pods)
    autoscaler = cluster.head.autoscaler_options
    if autoscaler is not None and autoscaler.image:
        references.append(((*CLUSTER, "head", "autoscalerOptions", "image"), autoscaler.image))
    watched = operator.watch_namespace or []
    return ValuesView(
        pods=ray_pods,
        images=images,
        references=references,
        top=values,
        storage=values.storage,
        namespaces=[((*OPERATOR, "watchNamespace", i), n) for i, n in enumerate(watched)],
        resources=[((*OPERATOR, "resources"), operator.resources)],
        env=[
            ((*CLUSTER, "common", "containerEnv"), cluster.common.container_env),
            ((*OPERATOR, "env"), operator.env),
        ],
        tolerations=[((*OPERATOR, "tolerations"), operator.tolerations)],
        annotations=[
            ((*OPERATOR, "annotations"), operator.annotations),
            ((*CLUSTER, "annotations"), cluster.annotations),
        ],
        defaults=chart_defaults_114(),
    )


def _common_env(values: Values114) -> Iterator[Finding]:
    """Translated names in the env of every Ray container (values/suggest.py)."""
    for index, env in enumerate(values.cluster.common.container_env or []):
        if hint := env_suggestion(getattr(env, "name", None) or ""):
            yield (*CLUSTER, "common", "containerEnv", index, "name"), hint


def located_warnings(values: Values114, user: Mapping[str, Any]) -> list[Finding]:
    """What renders but is probably wrong, with its key path: the Ray release and the start
    parameters checked against it (values/raystart.py, shared with chart 1.13)."""
    version_path = (*CLUSTER, "head", "rayVersion")
    common = ignored_env((*CLUSTER, "common"), values.cluster.common.container_env, user)
    found = ray_warnings(pods(values), values.cluster.head.ray_version, version_path, user)
    return [*found, *common]


def warnings(values: Values114) -> list[str]:
    """The deployment guide's sizing rules."""
    return resource_warnings(pods(values))


def enabled_groups(values: Values114) -> list[tuple[str, KeyPath, WorkerGroup114]]:
    """(name, key path, group) of every enabled worker group, in the chart's order."""
    cluster = values.cluster
    found = [
        (name, (*CLUSTER, "additionalWorkerGroups", name), group)
        for name, group in sorted((cluster.additional_worker_groups or {}).items())
        if group is not None and group.disabled is not True
    ]
    worker = cluster.worker
    if worker is not None and not worker.disabled:
        found.append((worker.group_name or "", (*CLUSTER, "worker"), worker))
    return found


def pods(values: Values114) -> list[tuple[KeyPath, Any]]:
    """(key path, pod keys) of the head and every enabled worker group."""
    head: list[tuple[KeyPath, Any]] = [((*CLUSTER, "head"), values.cluster.head)]
    return head + [(path, group) for _, path, group in enabled_groups(values)]


def _names(values: Values114) -> Iterator[Finding]:
    cluster, operator = values.cluster, values.operator
    if cluster.fullname_override:
        yield from cluster_name((*CLUSTER, "fullnameOverride"), cluster.fullname_override[:63])
    yield from dns_1035((*CLUSTER, "nameOverride"), cluster.name_override, "the RayCluster")
    for key in ("fullnameOverride", "nameOverride"):
        text = operator.fullname_override if key == "fullnameOverride" else operator.name_override
        yield from dns_1035((*OPERATOR, key), text, "the operator's objects")
    named: dict[KeyPath, str | None] = {
        ("manualSecretName",): values.manual_secret_name,
        (*OPERATOR, "serviceAccount", "name"): operator.service_account.name,
    }
    for path, pod in pods(values):
        named[(*path, "serviceAccountName")] = pod.service_account_name
        named[(*path, "priorityClassName")] = pod.priority_class_name
    yield from object_names(named)


def _operator(values: Values114) -> Iterator[Finding]:
    operator = values.operator
    scheduler = operator.batch_scheduler
    if scheduler.enabled and scheduler.name:
        yield (
            (*OPERATOR, "batchScheduler", "name"),
            "set either batchScheduler.enabled (deprecated) or batchScheduler.name, not both: "
            f"KubeRay {KUBERAY}'s operator refuses to start with both",
        )
    if scheduler.name and scheduler.name not in kuberay.scheduler_names(KUBERAY):
        known = ", ".join(kuberay.scheduler_names(KUBERAY))
        yield (*OPERATOR, "batchScheduler", "name"), f"KubeRay {KUBERAY} knows {known}"
    known_gates = kuberay.gate_names(KUBERAY)
    for index, gate in enumerate(operator.feature_gates or []):
        if gate.name not in known_gates:
            yield (
                (*OPERATOR, "featureGates", index, "name"),
                f"KubeRay {KUBERAY}'s feature gates are {', '.join(known_gates)}",
            )
    logging = operator.logging
    if bool(logging.base_dir) != bool(logging.file_name):
        key = "fileName" if logging.base_dir else "baseDir"
        yield (
            (*OPERATOR, "logging", key),
            "required with logging.baseDir and logging.fileName: the operator logs to a file "
            "only when both are set",
        )
