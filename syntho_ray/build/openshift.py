"""OpenShift: pods that fit the restricted-v2 SCC, and the CRI-O pids limit Ray needs.

restricted-v2 runs every pod under a user ID from the namespace's range and gives it the
namespace's fsGroup. So syntho-ray sets no user or group ID, leaves out the head's init
container that ran `chmod 777` as root (the shared claims are writable through the fsGroup
OpenShift assigns), and writes the SCC's container settings explicitly. OpenShift 4 limits a
container to 1024 processes, which Ray exceeds when it scales: a ContainerRuntimeConfig for the
worker machine pool raises it, applied once by the cluster admin from `DIR/openshift/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from syntho_ray.build.naming import MANAGED_BY
from syntho_ray.k8s.data import from_data, to_data
from syntho_ray.values.model import RayPodValues, Values, WorkerGroupValues

COMPONENT_DIR = "openshift"
PIDS_LIMIT = 8096
RUNTIME_CONFIG_NAME = "syntho-ray-pids-limit"
WORKER_POOL = {"pools.operator.machineconfiguration.openshift.io/worker": ""}
# What restricted-v2 asks of every container; a key the user sets wins.
RESTRICTED: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
FIXED_IDS = ("runAsUser", "runAsGroup", "fsGroup", "supplementalGroups")


def enabled(values: Values) -> bool:
    """True when rendering for OpenShift."""
    return values.platform == "openshift"


def restricted(context: Any) -> Any:
    """A container securityContext with restricted-v2's settings where `context` has none."""
    return from_data(RESTRICTED | (to_data(context) or {}), "V1SecurityContext")


def adapted(values: Values) -> Values:
    """The values as OpenShift runs them: no root init container, restricted containers."""
    if not enabled(values):
        return values
    head = values.head
    groups = values.additional_worker_groups
    return values.model_copy(
        update={
            "security_context": restricted(values.security_context),
            "head": head.model_copy(
                update={
                    "init_container_enabled": False,
                    "security_context": restricted(head.security_context),
                }
            ),
            "worker": _restricted_group(values.worker),
            "additional_worker_groups": None
            if groups is None
            else {name: _restricted_group(group) for name, group in groups.items()},
        }
    )


def _restricted_group(group: WorkerGroupValues | None) -> WorkerGroupValues | None:
    if group is None:
        return None
    return group.model_copy(
        update={
            "security_context": restricted(group.security_context),
            "init_container_security_context": restricted(group.init_container_security_context),
        }
    )


def runtime_config() -> dict[str, Any]:
    """The ContainerRuntimeConfig raising CRI-O's pids limit on the worker machine pool."""
    return {
        "apiVersion": "machineconfiguration.openshift.io/v1",
        "kind": "ContainerRuntimeConfig",
        "metadata": {
            "name": RUNTIME_CONFIG_NAME,
            "labels": {"app.kubernetes.io/managed-by": MANAGED_BY},
        },
        "spec": {
            "containerRuntimeConfig": {"pidsLimit": PIDS_LIMIT},
            "machineConfigPoolSelector": {"matchLabels": dict(WORKER_POOL)},
        },
    }


def components(values: Values | Any) -> dict[str, list[dict[str, Any]]]:
    """Directory -> cluster-scoped documents the cluster admin applies apart from the release
    (only chart 1.13's values have `platform`)."""
    on = isinstance(values, Values) and enabled(values)
    return {COMPONENT_DIR: [runtime_config()]} if on else {}


def warnings(values: Values) -> list[str]:
    """Fixed user or group IDs the user set, which restricted-v2 refuses."""
    if not enabled(values):
        return []
    return [
        f"{path}.{key}: a fixed ID does not fit OpenShift's restricted-v2 SCC "
        "(it assigns the IDs itself); leave it out or grant the pods another SCC"
        for path, context in _contexts(values)
        for key in FIXED_IDS
        if (to_data(context) or {}).get(key) is not None
    ]


def _contexts(values: Values) -> Iterator[tuple[str, Any]]:
    yield "securityContext", values.security_context
    yield "podSecurityContext", values.pod_security_context
    pods: list[tuple[str, RayPodValues]] = [("head", values.head)]
    if values.worker is not None:
        pods.append(("worker", values.worker))
    pods += [
        (f"additionalWorkerGroups.{name}", group)
        for name, group in sorted((values.additional_worker_groups or {}).items())
        if group is not None
    ]
    for path, pod in pods:
        yield f"{path}.securityContext", pod.security_context
        for index, sidecar in enumerate(pod.sidecar_containers or []):
            yield f"{path}.sidecarContainers[{index}].securityContext", sidecar.security_context
    for path, pod in pods[1:]:
        if isinstance(pod, WorkerGroupValues):
            yield f"{path}.initContainerSecurityContext", pod.init_container_security_context
