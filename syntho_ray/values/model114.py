"""The values of chart `ray` 1.14, Syntho's umbrella over KubeRay's two charts: typed, frozen.

Defaults equal the chart's `values.yaml` at 43bba3c, merged over those of its subcharts
`kuberay-operator` 1.2.2 and `ray-cluster` 1.2.2 the way Helm merges them. Every key one of the
three charts' templates reads is here, under the same key; Kubernetes parts are checked as in the
1.13 model (`syntho_ray.values.model`), whose types this module shares.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import ConfigDict, Field, Strict, WithJsonSchema

from syntho_ray.facts import charts, kuberay
from syntho_ray.values.shared import (
    INT32_MAX,
    OPERATOR_RESOURCES,
    PULL_SECRETS,
    Affinity,
    AutoscalerOptions,
    ChartValues,
    ContainerList,
    Count,
    Encoder,
    EnvList,
    FeatureGateValues,
    Flag,
    ImageValues,
    KubeService,
    LicenseKey,
    MountList,
    NamespaceList,
    PodSecurityContext,
    Port,
    ProbeValues,
    PullSecretList,
    RayPod,
    Resources,
    RestartPolicy,
    SecurityContext,
    ServiceAccountValues,
    ServiceType,
    StorageValues,
    StringMap,
    Text,
    TolerationList,
    ValuesModel,
    chart_image,
    pv_label,
    requests_and_limits,
)

# `--batch-scheduler` of KubeRay 1.2.2; "" leaves the flag out.
SchedulerName114 = Annotated[
    str,
    WithJsonSchema({"enum": ["", *kuberay.scheduler_names(charts.CHART_114.kuberay)]}),
]
Priority = Annotated[int, Strict(), Field(ge=-(2**31), le=INT32_MAX)]


_CLAIM_VOLUMES = [
    {"name": "log-volume", "emptyDir": {}},
    {"name": "ray-workflows", "persistentVolumeClaim": {"claimName": "ray-workflows-claim"}},
    {"name": "ray-data", "persistentVolumeClaim": {"claimName": "ray-data-claim"}},
]
_CLAIM_MOUNTS = [
    {"mountPath": "/tmp/ray", "name": "log-volume"},
    {"mountPath": "/tmp/ray-workflows", "name": "ray-workflows"},
    {"mountPath": "/tmp/ray-data", "name": "ray-data"},
]
_CHMOD_INIT = [
    {
        "name": "init-busybox",
        "command": ["chmod", "-R", "777", "/tmp/ray-workflows", "/tmp/ray-data"],
        "securityContext": {},
        "image": "busybox:1.28",
        "volumeMounts": _CLAIM_MOUNTS[1:],
    }
]
_LICENSE_ENV = [
    {
        "name": "LICENSE_KEY_SIGNED",
        "valueFrom": {"secretKeyRef": {"name": "ray-secret", "key": "license_key"}},
    }
]
_OPERATOR_SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}


class LoggingValues(ValuesModel):
    """Where and how the operator logs (`--log-*` flags)."""

    stdout_encoder: Encoder | None = Field(
        "", description="Encoder of the log on stdout: json or console."
    )
    file_encoder: Encoder | None = Field(
        "", description="Encoder of the log file: json or console."
    )
    base_dir: Text | None = Field("", description="Directory of the log file (with fileName).")
    file_name: Text | None = Field("", description="Name of the log file (with baseDir).")


class BatchScheduler114(ValuesModel):
    """KubeRay 1.2.2's batch scheduler integration."""

    enabled: Flag | None = Field(
        False, description="Deprecated: Volcano through --enable-batch-scheduler."
    )
    name: SchedulerName114 | None = Field(
        "", description="--batch-scheduler: volcano or yunikorn; empty: none."
    )


class OperatorValues(ValuesModel):
    """`kuberay-operator:`: the values of KubeRay's operator chart 1.2.2."""

    model_config = ConfigDict(validate_default=True)

    image: ImageValues = Field(
        default_factory=lambda: chart_image("syntho.azurecr.io/syntho-ray-operator", "1.4.0"),
        description="Operator image.",
    )
    image_pull_secrets: PullSecretList = Field(
        PULL_SECRETS, description="Pull secrets of the operator pod."
    )
    name_override: Text | None = Field(
        "kuberay-operator", description="The app.kubernetes.io/name label (and the selector)."
    )
    fullname_override: Text | None = Field(
        "kuberay-operator", description="Name of the Deployment, its Service and RBAC."
    )
    service_account: ServiceAccountValues = Field(
        default_factory=ServiceAccountValues, description="Operator ServiceAccount."
    )
    service: OperatorService = Field(
        default_factory=lambda: OperatorService(), description="Operator Service."
    )
    resources: Resources = Field(OPERATOR_RESOURCES, description="Operator container resources.")
    logging: LoggingValues = Field(default_factory=LoggingValues, description="Operator log.")
    liveness_probe: ProbeValues = Field(
        default_factory=ProbeValues, description="Liveness probe timing."
    )
    readiness_probe: ProbeValues = Field(
        default_factory=ProbeValues, description="Readiness probe timing."
    )
    batch_scheduler: BatchScheduler114 = Field(
        default_factory=BatchScheduler114, description="Batch scheduler."
    )
    feature_gates: list[FeatureGateValues] | None = Field(
        default_factory=lambda: [
            FeatureGateValues.model_validate(
                {"name": "RayClusterStatusConditions", "enabled": False}
            )
        ],
        description="--feature-gates, as name and enabled.",
    )
    pod_security_context: PodSecurityContext = Field(
        {}, description="Operator pod securityContext."
    )
    security_context: SecurityContext = Field(
        _OPERATOR_SECURITY, description="Operator container securityContext."
    )
    use_kubernetes_proxy: Flag | None = Field(
        None, description="--use-kubernetes-proxy: reach Ray heads through the API server."
    )
    leader_election_enabled: Flag | None = Field(True, description="--enable-leader-election.")
    rbac_enable: Flag | None = Field(True, description="Render RBAC.")
    cr_namespaced_rbac_enable: Flag | None = Field(
        True, description="A Role per watched namespace (with singleNamespaceInstall)."
    )
    single_namespace_install: Flag | None = Field(
        True,
        description="Namespaced RBAC and watching the release's namespace; false: cluster RBAC.",
    )
    watch_namespace: NamespaceList = Field(None, description="Namespaces the operator watches.")
    env: EnvList = Field(None, description="Operator container env.")
    labels: StringMap = Field(None, description="Extra labels of the Deployment and its pods.")
    annotations: StringMap = Field(None, description="Operator pod annotations.")
    node_selector: StringMap = Field(None, description="Operator nodeSelector.")
    affinity: Affinity = Field(None, description="Operator affinity.")
    tolerations: TolerationList = Field(None, description="Operator tolerations.")


class OperatorService(ValuesModel):
    """The operator's metrics Service."""

    type: ServiceType = Field("ClusterIP", description="Service type.")
    port: Port = Field(8080, description="Service port.")


class AutoscalerOptions114(AutoscalerOptions):
    """KubeRay 1.2.2's `autoscalerOptions`."""

    volume_mounts: MountList = Field(None, description="Autoscaler container mounts.")


class RayPod114(RayPod):
    """Keys every Ray pod group of ray-cluster 1.2.2 reads (head, worker, extra groups)."""

    service_account_name: Text | None = Field(None, description="Pod serviceAccountName.")
    restart_policy: RestartPolicy | None = Field(None, description="Pod restartPolicy.")
    init_containers: ContainerList = Field(None, description="Pod initContainers.")
    image: ImageValues | None = Field(None, description="This group's Ray image.")
    pod_security_context: PodSecurityContext = Field(None, description="Pod securityContext.")
    command: list[Text] | None = Field(None, description="Ray container command.")
    args: list[Text] | None = Field(None, description="Ray container args.")
    priority_class_name: Text | None = Field(None, description="Pod priorityClassName.")
    priority: Priority | None = Field(None, description="Pod priority.")


class Head114(RayPod114):
    """`ray-cluster.head`: the Ray head."""

    ray_version: Text | None = Field(None, description="spec.rayVersion.")
    enable_in_tree_autoscaling: Flag | None = Field(
        None, description="Add the Ray autoscaler sidecar."
    )
    autoscaler_options: AutoscalerOptions114 | None = Field(
        None, description="Autoscaler overrides."
    )
    head_service: KubeService = Field(None, description="Head Service overrides, a Service.")


class WorkerGroup114(RayPod114):
    """A worker group of ray-cluster 1.2.2 (extra groups are named by their key)."""

    disabled: Flag | None = Field(None, description="Skip this group.")
    replicas: Count | None = Field(None, description="Workers to start.")
    min_replicas: Count | None = Field(None, description="Autoscaling lower bound; default 0.")
    max_replicas: Count | None = Field(
        None, description="Autoscaling upper bound; default (and for 0) 2147483647."
    )
    num_of_hosts: Count | None = Field(None, description="Hosts per replica; default 1.")


def replica_bounds_114(group: WorkerGroup114) -> tuple[int | None, int, int]:
    """(replicas, minReplicas, maxReplicas) of a 1.14 group with the template's defaults, 0
    and 2147483647 (an explicit 0 is kept); replicas stays None when left out. The one
    computation: the checks and the resolved values read it."""
    low = 0 if group.min_replicas is None else group.min_replicas
    high = INT32_MAX if group.max_replicas is None else group.max_replicas
    return group.replicas, low, high


class DefaultWorker114(WorkerGroup114):
    """`ray-cluster.worker`: the default worker group."""

    group_name: Text | None = Field(None, description="Group name.")


class CommonValues(ValuesModel):
    """Settings of every Ray container."""

    container_env: EnvList = Field(_LICENSE_ENV, description="Env of every Ray container, first.")


class RayService114(ValuesModel):
    """The Ray head Service."""

    type: ServiceType = Field("ClusterIP", description="headGroupSpec.serviceType.")


def _group(**values: Any) -> dict[str, Any]:
    return {
        "labels": {},
        "serviceAccountName": "",
        "restartPolicy": "",
        "rayStartParams": {},
        "containerEnv": [],
        "envFrom": [],
        "annotations": {},
        "nodeSelector": {},
        "tolerations": [],
        "affinity": {},
        "podSecurityContext": {},
        "securityContext": {},
        "volumes": _CLAIM_VOLUMES,
        "volumeMounts": _CLAIM_MOUNTS,
        "sidecarContainers": [],
        "command": [],
        "args": [],
    } | values


def _groups(**groups: WorkerGroup114 | None) -> dict[str, WorkerGroup114 | None]:
    return groups


class RayClusterValues(ValuesModel):
    """`ray-cluster:`: the values of KubeRay's ray-cluster chart 1.2.2."""

    model_config = ConfigDict(validate_default=True)

    image: ImageValues = Field(
        default_factory=lambda: chart_image("synthoregistry.azurecr.io/syntho-ray", "latest"),
        description="Ray image of every group.",
    )
    name_override: Text | None = Field(
        "ray-cluster", description="Name part of the RayCluster's name."
    )
    fullname_override: Text | None = Field("ray-cluster", description="Name of the RayCluster.")
    image_pull_secrets: PullSecretList = Field(
        PULL_SECRETS, description="Pull secrets of every Ray pod."
    )
    annotations: StringMap = Field(None, description="Annotations of the RayCluster.")
    common: CommonValues = Field(default_factory=CommonValues, description="Every Ray container.")
    head: Head114 = Field(
        default_factory=lambda: Head114.model_validate(
            _group(
                initContainers=_CHMOD_INIT,
                rayStartParams={"dashboard-host": "0.0.0.0"},
                resources=requests_and_limits("8", "32G"),
                headService={},
            )
        ),
        description="The Ray head.",
    )
    worker: DefaultWorker114 | None = Field(
        default_factory=lambda: DefaultWorker114.model_validate(
            _group(
                disabled=True,
                groupName="workergroup",
                replicas=1,
                minReplicas=1,
                maxReplicas=3,
                resources=requests_and_limits("1", "1G"),
            )
        ),
        description="The default worker group (disabled by default).",
    )
    additional_worker_groups: dict[str, WorkerGroup114 | None] | None = Field(
        default_factory=lambda: _groups(
            smallGroup=WorkerGroup114.model_validate(
                _group(
                    disabled=True,
                    replicas=0,
                    minReplicas=0,
                    maxReplicas=3,
                    resources=requests_and_limits(1, "1G"),
                )
            )
        ),
        description="More worker groups, keyed by group name.",
    )
    service: RayService114 = Field(default_factory=RayService114, description="Head Service.")


class Storage114(StorageValues):
    """The two ReadWriteMany claims (chart 1.14 sets only storageClassName)."""

    pv_label_key: Text | None = pv_label("ray-workflows-claim", None)
    access_mode: Any = Field(None, description="Access mode of both claims.")
    data_pv_label_key: Text | None = pv_label("ray-data-claim", None)


class Values114(ChartValues):
    """All values of chart `ray` 1.14."""

    syntho_license: LicenseKey = Field(
        "<license-key>",
        alias="SynthoLicense",
        description="Syntho license key, stored in the Secret ray-secret.",
    )
    storage: Storage114 = Field(default_factory=Storage114, description="Shared volumes.")
    operator: OperatorValues = Field(
        default_factory=OperatorValues,
        alias="kuberay-operator",
        description="KubeRay's operator chart.",
    )
    cluster: RayClusterValues = Field(
        default_factory=RayClusterValues,
        alias="ray-cluster",
        description="KubeRay's ray-cluster chart.",
    )


@cache
def chart_defaults_114() -> dict[str, Any]:
    """The default values as plain data, as the chart's values.yaml over its subcharts' has them."""
    return Values114().model_dump(mode="python", exclude_none=True)
