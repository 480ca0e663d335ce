"""OpenShift: the CRI-O pids limit Ray needs, and the IDs restricted-v2 refuses.

OpenShift 4 limits a container to 1024 processes, which Ray exceeds when it scales: a
ContainerRuntimeConfig for the worker machine pool raises it, applied once by the cluster
admin from `DIR/openshift/`. The pods themselves are adapted to the restricted-v2 SCC in
`resolve/platform.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from syntho_ray.build.naming import MANAGED_BY
from syntho_ray.k8s.data import to_data
from syntho_ray.resolve.platform import on_openshift
from syntho_ray.values.model import RayPodValues, Values, WorkerGroupValues

COMPONENT_DIR = "openshift"
PIDS_LIMIT = 8096
RUNTIME_CONFIG_NAME = "syntho-ray-pids-limit"
WORKER_POOL = {"pools.operator.machineconfiguration.openshift.io/worker": ""}
FIXED_IDS = ("runAsUser", "runAsGroup", "fsGroup", "supplementalGroups")


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
    on = isinstance(values, Values) and on_openshift(values)
    return {COMPONENT_DIR: [runtime_config()]} if on else {}


def warnings(values: Values) -> list[str]:
    """Fixed user or group IDs the user set, which restricted-v2 refuses."""
    if not on_openshift(values):
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
