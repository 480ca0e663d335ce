"""Chart 1.13's values in the shape the builders read (the 1.14 layout), with what the 1.13
chart adds to every Ray pod written out: the two shared claims and their mounts, the head's
chmod init container, each worker's wait-for-head init container, the workflow `storage`
start parameter and the license env.
"""

from __future__ import annotations

from typing import Any

from syntho_ray.facts import ray as ray_facts
from syntho_ray.facts.charts import CHART_113, SHARED_VOLUMES, WORKFLOWS_PATH
from syntho_ray.k8s import client
from syntho_ray.k8s.data import or_none
from syntho_ray.resolve.platform import DEFAULT_INIT_IMAGE, adapted, relocated
from syntho_ray.resolve.resolved import (
    SECRET_NAME,
    BatchScheduler,
    Head,
    Operator,
    OperatorLogging,
    OperatorService,
    RayClusterSettings,
    Resolved,
    Settings,
    WorkerGroup,
    go_text,
    license_env,
)
from syntho_ray.values.model import RayPodValues, Values, WorkerGroupValues, replica_bounds
from syntho_ray.values.shared import StartParam

# Workers wait until the head's Service resolves before Ray starts.
WAIT_FOR_HEAD = (
    "until nslookup $RAY_IP.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace)"
    ".svc.cluster.local; do echo waiting for K8s Service $RAY_IP; sleep 2; done"
)
# The operator's settings chart 1.13 has under the same name as chart 1.14 (at the top).
_OPERATOR_KEYS = (
    "image_pull_secrets",
    "name_override",
    "fullname_override",
    "service_account",
    "resources",
    "liveness_probe",
    "readiness_probe",
    "feature_gates",
    "pod_security_context",
    "security_context",
    "leader_election_enabled",
    "rbac_enable",
    "watch_namespace",
    "node_selector",
    "affinity",
    "tolerations",
)
# A Ray pod group's settings both generations have under the same name.
_POD_KEYS = (
    "labels",
    "annotations",
    "init_args",
    "env_from",
    "ports",
    "resources",
    "security_context",
    "sidecar_containers",
    "lifecycle",
    "node_selector",
    "tolerations",
    "affinity",
)

# Chart 1.14's settings chart 1.13 has no key for (left out of the objects).
_NO_OPERATOR_KEYS = ("use_kubernetes_proxy", "env", "labels", "annotations")
_NO_POD_KEYS = (
    *("service_account_name", "restart_policy", "image", "pod_security_context"),
    *("command", "args", "priority_class_name", "priority"),
)


def _absent(names: tuple[str, ...]) -> dict[str, Any]:
    return dict.fromkeys(names)


def _same(given: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(given, name) for name in names}


def resolve_113(given: Values) -> Resolved:
    """Chart 1.13's values for the builders, as its platform and mirror registry make them."""
    values = relocated(adapted(given))
    settings = Settings(
        syntho_license=values.syntho_license,
        manual_secret_name=values.manual_secret_name,
        storage=values.storage,
        operator=_operator(values),
        cluster=_cluster(values),
    )
    return Resolved(values=settings, facts=CHART_113, kuberay=values.kuberay_release)


def _operator(values: Values) -> Operator:
    scheduler = values.batch_scheduler
    return Operator(
        **_same(values, _OPERATOR_KEYS),
        image=values.operator_image,
        service=OperatorService(type=values.service.type, port=values.service.port),
        logging=OperatorLogging(
            stdout_encoder=None, file_encoder=None, base_dir=None, file_name=None
        ),
        batch_scheduler=BatchScheduler(enabled=scheduler.enabled, name=scheduler.name),
        cr_namespaced_rbac_enable=True,  # chart 1.13: a Role in each watched namespace
        single_namespace_install=True,
        **_absent(_NO_OPERATOR_KEYS),
    )


def _cluster(values: Values) -> RayClusterSettings:
    groups = values.additional_worker_groups
    worker = values.worker
    return RayClusterSettings(
        image=values.image,
        name_override=None,
        fullname_override=values.clustername,
        image_pull_secrets=values.image_pull_secrets,
        annotations=values.annotations,
        common_env=None,
        head=_head(values),
        worker=None if worker is None else _worker(worker, values, worker.group_name),
        additional_worker_groups=None
        if groups is None
        else {name: None if g is None else _worker(g, values, None) for name, g in groups.items()},
        service_type=values.head.service_type or values.service.type,
    )


def _params(group: RayPodValues, ray_version: str | None) -> dict[str, StartParam]:
    """rayStartParams with the chart's workflow `storage` while it stays."""
    params = dict(group.ray_start_params or {})
    if keeps_workflow_storage(group, ray_version):
        params["storage"] = WORKFLOWS_PATH
    return params


def keeps_workflow_storage(group: RayPodValues, ray_version: str | None) -> bool:
    """Whether the chart's `storage` start parameter stays: not set to null by the user (as
    Helm deletes a default set to null), and `ray start` of the Ray release still has
    `--storage` (an unset release keeps it, as the chart does)."""
    given = [params for params in (group.ray_start_params, group.init_args) if params]
    nulled = any("storage" in params and params["storage"] is None for params in given)
    return not nulled and ray_facts.has_option(ray_version, "storage")


def _pod(group: RayPodValues, values: Values, init: list[client.V1Container]) -> dict[str, Any]:
    """The pod keys of a 1.13 group, with the shared claims, init containers and license."""
    return (
        _same(group, _POD_KEYS)
        | _absent(_NO_POD_KEYS)
        | {
            "init_containers": init or None,
            "ray_start_params": _params(group, values.head.ray_version),
            "container_env": [*(group.container_env or []), license_env(_secret(values))],
            "volumes": _shared_volumes() + list(group.volumes or []),
            "volume_mounts": _shared_mounts() + list(group.volume_mounts or []),
        }
    )


def _secret(values: Values) -> str:
    return values.manual_secret_name or SECRET_NAME


def _head(values: Values) -> Head:
    head = values.head
    return Head(
        ray_version=head.ray_version,
        enable_in_tree_autoscaling=head.enable_in_tree_autoscaling,
        autoscaler_options=head.autoscaler_options,
        head_service=head.head_service,
        **_pod(head, values, _chmod_init(values)),
    )


def _chmod_init(values: Values) -> list[client.V1Container]:
    """The head's init container that opens up the shared claims (unless turned off)."""
    head = values.head
    if not head.init_container_enabled:
        return []
    init = head.init_container
    command = [go_text(a) for a in init.arguments or [] if a is not None]
    return [
        client.V1Container(
            name="init",
            image=init.image or DEFAULT_INIT_IMAGE,
            command=command or None,
            security_context=or_none(init.security_context),
            volume_mounts=_shared_mounts(),
        )
    ]


def _worker(group: WorkerGroupValues, values: Values, name: str | None) -> WorkerGroup:
    init = client.V1Container(
        name="init",
        image=group.init_container_image or DEFAULT_INIT_IMAGE,
        command=["sh", "-c", WAIT_FOR_HEAD],
        security_context=or_none(group.init_container_security_context),
    )
    replicas, low, high = replica_bounds(group)
    return WorkerGroup(
        disabled=group.disabled,
        replicas=replicas,
        min_replicas=low,
        max_replicas=high,
        num_of_hosts=None,
        group_name=name,
        **_pod(group, values, [init]),
    )


def _shared_volumes() -> list[client.V1Volume]:
    """The pod volumes of the two claims."""
    return [
        client.V1Volume(
            name=volume,
            persistent_volume_claim=client.V1PersistentVolumeClaimVolumeSource(claim_name=claim),
        )
        for volume, claim, _ in SHARED_VOLUMES
    ]


def _shared_mounts() -> list[client.V1VolumeMount]:
    """Mounts of the two claims."""
    return [
        client.V1VolumeMount(name=volume, mount_path=path) for volume, _, path in SHARED_VOLUMES
    ]
