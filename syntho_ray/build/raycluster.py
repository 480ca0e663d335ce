"""The RayCluster: one head group and the worker groups, their pods and `ray start` params."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from syntho_ray.build import storage
from syntho_ray.build.license import license_env
from syntho_ray.build.naming import Release, common_labels, metadata
from syntho_ray.build.resolved import Resolved, WorkerGroup
from syntho_ray.facts.kinds import raycluster_kind
from syntho_ray.k8s import client
from syntho_ray.k8s.data import or_none
from syntho_ray.k8s.rayapi import HeadGroupSpec, RayCluster, RayClusterSpec, WorkerGroupSpec
from syntho_ray.values.model import RayPodValues, StartParam, Values

DEFAULT_INIT_IMAGE = "busybox:1.28"
# Workers wait until the head's Service resolves before Ray starts.
WAIT_FOR_HEAD = (
    "until nslookup $RAY_IP.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"
    ".svc.cluster.local; do echo waiting for K8s Service $RAY_IP; sleep 2; done"
)


def go_text(value: StartParam) -> str:
    """A scalar as Helm's `quote` prints it (Go's `fmt.Sprint`), integers in full."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(value: float) -> str:
    """Go's `%v` for a float64: shortest digits, exponent form below 1e-4 and from 1e6."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    if value == 0:
        return "0"
    number = Decimal(repr(abs(value))).normalize()
    digits = "".join(map(str, number.as_tuple().digits))
    exponent = len(digits) - 1 + int(number.as_tuple().exponent)
    sign = "-" if value < 0 else ""
    if -4 <= exponent < 6:
        return sign + format(number, "f")
    fraction = f".{digits[1:]}" if len(digits) > 1 else ""
    return f"{sign}{digits[0]}{fraction}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def ray_start_params(group: RayPodValues) -> dict[str, str]:
    """rayStartParams, then the shared workflow storage, then the deprecated initArgs (last wins).

    A key whose value is null is left out, as Helm prints nothing for it.
    """
    params = {k: go_text(v) for k, v in (group.ray_start_params or {}).items() if v is not None}
    params["storage"] = storage.WORKFLOWS_PATH
    params |= {k: go_text(v) for k, v in (group.init_args or {}).items() if v is not None}
    return dict(sorted(params.items()))


def _ray_container(name: str, group: RayPodValues, values: Values) -> client.V1Container:
    return client.V1Container(
        name=name,
        image=values.image.reference,
        image_pull_policy=values.image.pull_policy,
        volume_mounts=storage.shared_mounts() + list(group.volume_mounts or []),
        resources=or_none(group.resources),
        security_context=or_none(group.security_context),
        env=[*(group.container_env or []), license_env(values)],
        env_from=or_none(group.env_from),
        ports=or_none(group.ports),
        lifecycle=or_none(group.lifecycle),
    )


def _pod_template(
    group: RayPodValues,
    values: Values,
    release: Release,
    containers: list[client.V1Container],
    init_containers: list[client.V1Container],
) -> client.V1PodTemplateSpec:
    return client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(
            annotations=or_none(group.annotations),
            labels=(group.labels or {}) | common_labels(values, release),
        ),
        spec=client.V1PodSpec(
            image_pull_secrets=or_none(values.image_pull_secrets),
            init_containers=init_containers or None,
            containers=containers + list(group.sidecar_containers or []),
            volumes=storage.shared_volumes() + list(group.volumes or []),
            affinity=or_none(group.affinity),
            tolerations=or_none(group.tolerations),
            node_selector=or_none(group.node_selector),
        ),
    )


def _head_init_containers(values: Values) -> list[client.V1Container]:
    head = values.head
    if not head.init_container_enabled:
        return []
    init = head.init_container
    return [
        client.V1Container(
            name="init",
            image=init.image or DEFAULT_INIT_IMAGE,
            command=[go_text(a) for a in init.arguments or [] if a is not None] or None,
            security_context=or_none(init.security_context),
            volume_mounts=storage.shared_mounts(),
        )
    ]


def head_group(values: Values, release: Release) -> HeadGroupSpec:
    """The head group: init container, `ray-head` container, shared volumes."""
    head = values.head
    return HeadGroupSpec(
        service_type=head.service_type or values.service.type,
        head_service=or_none(head.head_service),
        ray_start_params=ray_start_params(head),
        template=_pod_template(
            head,
            values,
            release,
            [_ray_container("ray-head", head, values)],
            _head_init_containers(values),
        ),
    )


def worker_group(worker: WorkerGroup, values: Values, release: Release) -> WorkerGroupSpec:
    """One worker group: a wait-for-head init container and the `ray-worker` container."""
    group = worker.values
    init = client.V1Container(
        name="init",
        image=group.init_container_image or DEFAULT_INIT_IMAGE,
        command=["sh", "-c", WAIT_FOR_HEAD],
        security_context=or_none(group.init_container_security_context),
    )
    return WorkerGroupSpec(
        group_name=worker.name,
        replicas=worker.replicas,
        min_replicas=worker.min_replicas,
        max_replicas=worker.max_replicas,
        ray_start_params=ray_start_params(group),
        template=_pod_template(
            group, values, release, [_ray_container("ray-worker", group, values)], [init]
        ),
    )


def raycluster(resolved: Resolved, release: Release) -> RayCluster:
    """The RayCluster named `clustername`."""
    values = resolved.values
    head = values.head
    options = head.autoscaler_options
    workers = [worker_group(group, values, release) for group in resolved.worker_groups]
    return RayCluster(
        api_version=raycluster_kind(resolved.kuberay_version).api_version,
        metadata=metadata(
            values.clustername, values, release, annotations=dict(values.annotations or {})
        ),
        spec=RayClusterSpec(
            ray_version=head.ray_version or None,
            enable_in_tree_autoscaling=head.enable_in_tree_autoscaling or None,
            autoscaler_options=options.model_dump(exclude_none=True) or None if options else None,
            head_group_spec=head_group(values, release),
            worker_group_specs=workers or None,
        ),
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The RayCluster."""
    return [raycluster(resolved, release)]
