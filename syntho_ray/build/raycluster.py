"""The RayCluster: one head group and the worker groups, their pods and `ray start` params."""

from __future__ import annotations

from typing import Any

from syntho_ray.build.naming import Release, cluster_labels, cluster_name, metadata
from syntho_ray.facts.kinds import raycluster_kind
from syntho_ray.k8s import client
from syntho_ray.k8s.data import or_none
from syntho_ray.k8s.rayapi import HeadGroupSpec, RayCluster, RayClusterSpec, WorkerGroupSpec
from syntho_ray.resolve.resolved import RayPod, Resolved, WorkerGroup, go_text


def ray_start_params(group: RayPod) -> dict[str, str]:
    """rayStartParams, then the deprecated initArgs (last wins), every value quoted.

    A key whose value is null is left out, as Helm prints nothing for it.
    """
    params = {k: go_text(v) for k, v in (group.ray_start_params or {}).items() if v is not None}
    params |= {k: go_text(v) for k, v in (group.init_args or {}).items() if v is not None}
    return dict(sorted(params.items()))


def _ray_container(name: str, group: RayPod, resolved: Resolved) -> client.V1Container:
    cluster = resolved.values.cluster
    image = group.image or cluster.image
    env = [*(cluster.common_env or []), *(group.container_env or [])]
    return client.V1Container(
        name=name,
        image=image.reference,
        image_pull_policy=image.pull_policy,
        volume_mounts=or_none(group.volume_mounts),
        resources=or_none(group.resources),
        security_context=or_none(group.security_context),
        env=env or None,
        env_from=or_none(group.env_from),
        ports=or_none(group.ports),
        lifecycle=or_none(group.lifecycle),
        command=or_none(group.command),
        args=or_none(group.args),
    )


def _pod_template(
    group: RayPod, container: str, resolved: Resolved, release: Release
) -> client.V1PodTemplateSpec:
    return client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(
            annotations=or_none(group.annotations),
            labels=(group.labels or {}) | cluster_labels(resolved, release),
        ),
        spec=client.V1PodSpec(
            image_pull_secrets=or_none(resolved.values.cluster.image_pull_secrets),
            service_account_name=group.service_account_name or None,
            restart_policy=group.restart_policy or None,
            init_containers=or_none(group.init_containers),
            containers=[
                _ray_container(container, group, resolved),
                *(group.sidecar_containers or []),
            ],
            volumes=or_none(group.volumes),
            affinity=or_none(group.affinity),
            priority_class_name=group.priority_class_name or None,
            priority=group.priority or None,
            tolerations=or_none(group.tolerations),
            node_selector=or_none(group.node_selector),
            security_context=or_none(group.pod_security_context),
        ),
    )


def head_group(resolved: Resolved, release: Release) -> HeadGroupSpec:
    """The head group: its Service settings and the `ray-head` pod."""
    cluster = resolved.values.cluster
    return HeadGroupSpec(
        service_type=cluster.service_type,
        head_service=or_none(cluster.head.head_service),
        ray_start_params=ray_start_params(cluster.head),
        template=_pod_template(cluster.head, "ray-head", resolved, release),
    )


def worker_group(
    name: str, group: WorkerGroup, resolved: Resolved, release: Release
) -> WorkerGroupSpec:
    """One worker group of `ray-worker` pods."""
    return WorkerGroupSpec(
        group_name=name,
        replicas=group.replicas,
        min_replicas=group.min_replicas,
        max_replicas=group.max_replicas,
        num_of_hosts=group.num_of_hosts,
        ray_start_params=ray_start_params(group),
        template=_pod_template(group, "ray-worker", resolved, release),
    )


def raycluster(resolved: Resolved, release: Release) -> RayCluster:
    """The RayCluster, under the API version of the KubeRay release."""
    cluster = resolved.values.cluster
    head = cluster.head
    options = head.autoscaler_options
    workers = [worker_group(n, g, resolved, release) for n, g in resolved.worker_groups()]
    return RayCluster(
        api_version=raycluster_kind(resolved.kuberay).api_version,
        metadata=metadata(
            cluster_name(resolved, release),
            release,
            cluster_labels(resolved, release),
            annotations=dict(cluster.annotations or {}),
        ),
        spec=RayClusterSpec(
            ray_version=head.ray_version or None,
            enable_in_tree_autoscaling=head.enable_in_tree_autoscaling or None,
            autoscaler_options=options.model_dump(exclude_none=True) or None if options else None,
            head_group_spec=head_group(resolved, release),
            worker_group_specs=workers or None,
        ),
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The RayCluster."""
    return [raycluster(resolved, release)]
