"""The values model: every key of the chart's `values.yaml`, typed and frozen.

Defaults equal the chart's `values.yaml` at 47f975a. Keys keep the chart's
spelling (aliases); fields that are Kubernetes types take the same YAML a
Kubernetes manifest takes and hold `kubernetes` client models. A value of
`None` means the key is absent (a user's `null` removes a chart default, as
in Helm).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, partial
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from syntho_ray.errors import KeyPath
from syntho_ray.facts import kuberay
from syntho_ray.k8s.data import KubeDataError, from_data, to_data

PullPolicy = Literal["Always", "IfNotPresent", "Never"]
AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]
UpscalingMode = Literal["Default", "Aggressive", "Conservative"]
Platform = Literal["kubernetes", "openshift"]
SchedulerName = Annotated[str, WithJsonSchema({"enum": [s.name for s in kuberay.SCHEDULERS]})]
Namespace = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
Registry = Annotated[str, StringConstraints(pattern=r"^[\w.-]+(:\d+)?(/[a-z0-9._-]+)*/?$")]
INT32_MAX = 2**31 - 1
# Whole numbers as Kubernetes stores them (int32); `true` or "3" is not a number here.
Count = Annotated[int, Strict(), Field(ge=0, le=INT32_MAX)]
Port = Annotated[int, Strict(), Field(ge=1, le=65535)]
# true or false, never the text "false" (which Helm would treat as true).
Flag = Annotated[bool, Strict()]
# rayStartParams values: rendered as strings the way Helm's `quote` prints them.
StartParam = str | bool | int | float | None


def _int_as_text(value: Any) -> Any:
    """`--set image.tag=123` gives an integer; a name or tag is text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Text = Annotated[
    str, BeforeValidator(_int_as_text), WithJsonSchema({"type": ["string", "integer"]})
]
LicenseKey = Annotated[Text, AfterValidator(str.strip)]


def _release(value: Any) -> Any:
    """A supported KubeRay release, spelt `1.2.2` (`v1.2.2` is accepted)."""
    found = None if value is None else kuberay.canonical(str(value))
    if value is not None and found is None:
        supported = ", ".join(kuberay.RELEASES)
        raise PydanticCustomError("kuberay_version", f"not one of the KubeRay releases {supported}")
    return found


KubeRayVersion = Annotated[
    str | None,
    BeforeValidator(_release),
    WithJsonSchema({"enum": [*kuberay.RELEASES, *(f"v{r}" for r in kuberay.RELEASES), None]}),
]


def kube_value(value: Any, *, type_name: str) -> Any:
    """The client model(s) `type_name` describes, from manifest data (a field validator)."""
    if value is None:
        return None
    try:
        return from_data(value, type_name)
    except KubeDataError as exc:
        raise PydanticCustomError(
            "kubernetes", "{detail}", {"detail": str(exc), "problems": exc.problems}
        ) from None


def _as_kube(type_name: str) -> BeforeValidator:
    """Validator building the client model(s) `type_name` describes from manifest data."""
    return BeforeValidator(partial(kube_value, type_name=type_name))


_AS_DATA = PlainSerializer(to_data)
Resources = Annotated[Any, _as_kube("V1ResourceRequirements"), _AS_DATA]
EnvList = Annotated[Any, _as_kube("list[V1EnvVar]"), _AS_DATA]
EnvFromList = Annotated[Any, _as_kube("list[V1EnvFromSource]"), _AS_DATA]
PortList = Annotated[Any, _as_kube("list[V1ContainerPort]"), _AS_DATA]
VolumeList = Annotated[Any, _as_kube("list[V1Volume]"), _AS_DATA]
MountList = Annotated[Any, _as_kube("list[V1VolumeMount]"), _AS_DATA]
TolerationList = Annotated[Any, _as_kube("list[V1Toleration]"), _AS_DATA]
Affinity = Annotated[Any, _as_kube("V1Affinity"), _AS_DATA]
SecurityContext = Annotated[Any, _as_kube("V1SecurityContext"), _AS_DATA]
PodSecurityContext = Annotated[Any, _as_kube("V1PodSecurityContext"), _AS_DATA]
Lifecycle = Annotated[Any, _as_kube("V1Lifecycle"), _AS_DATA]
ContainerList = Annotated[Any, _as_kube("list[V1Container]"), _AS_DATA]
PullSecretList = Annotated[Any, _as_kube("list[V1LocalObjectReference]"), _AS_DATA]
KubeService = Annotated[Any, _as_kube("V1Service"), _AS_DATA]
StringMap = dict[str, Text] | None


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        arbitrary_types_allowed=True,
    )


class ImageValues(_Model):
    """A container image."""

    repository: Text = Field(description="Image repository, without the tag.")
    tag: Text = Field(description="Image tag.")
    pull_policy: PullPolicy = Field(
        "IfNotPresent", alias="pullPolicy", description="Kubernetes imagePullPolicy."
    )

    @property
    def reference(self) -> str:
        """`repository:tag`."""
        return f"{self.repository}:{self.tag}"


class AutoscalerOptions(_Model):
    """Overrides for the Ray autoscaler sidecar (KubeRay `autoscalerOptions`)."""

    upscaling_mode: UpscalingMode | None = Field(
        None, alias="upscalingMode", description="Default, Aggressive or Conservative."
    )
    idle_timeout_seconds: Count | None = Field(
        None,
        alias="idleTimeoutSeconds",
        ge=0,
        description="Seconds before an idle worker is removed.",
    )
    image: Text | None = Field(None, description="Autoscaler image; default: the Ray image.")
    image_pull_policy: PullPolicy | None = Field(
        None, alias="imagePullPolicy", description="Autoscaler imagePullPolicy."
    )
    resources: Resources = Field(None, description="Autoscaler container resources.")
    env: EnvList = Field(None, description="Autoscaler container env.")
    env_from: EnvFromList = Field(None, alias="envFrom", description="Autoscaler envFrom.")
    security_context: SecurityContext = Field(
        None, alias="securityContext", description="Autoscaler securityContext."
    )


_NO_PARAMS: dict[str, StartParam] = {}
_CHMOD_SHARED: tuple[StartParam, ...] = (
    "chmod",
    "-R",
    "777",
    "/tmp/ray-workflows",
    "/tmp/ray-data",
)


class InitContainerValues(_Model):
    """The head's init container that opens up the shared volumes."""

    arguments: list[StartParam] | None = Field(
        default_factory=lambda: list(_CHMOD_SHARED),
        description="The init container's command.",
    )
    security_context: SecurityContext = Field(
        {},
        alias="securityContext",
        validate_default=True,
        description="The init container's securityContext.",
    )
    image: Text | None = Field("busybox:1.28", description="Init container image.")


class RayPodValues(_Model):
    """Settings shared by the head and every worker group's pods."""

    labels: StringMap = Field(None, description="Extra pod labels.")
    annotations: StringMap = Field(None, description="Pod annotations.")
    ray_start_params: dict[str, StartParam] | None = Field(
        None, alias="rayStartParams", description="`ray start` parameters."
    )
    init_args: dict[str, StartParam] | None = Field(
        None, alias="initArgs", description="Deprecated alias of rayStartParams (wins on clash)."
    )
    container_env: EnvList = Field(None, alias="containerEnv", description="Ray container env.")
    env_from: EnvFromList = Field(None, alias="envFrom", description="Ray container envFrom.")
    ports: PortList = Field(None, description="Ray container ports.")
    resources: Resources = Field(None, description="Ray container requests and limits.")
    node_selector: StringMap = Field(None, alias="nodeSelector", description="Pod nodeSelector.")
    tolerations: TolerationList = Field(None, description="Pod tolerations.")
    affinity: Affinity = Field(None, description="Pod affinity.")
    security_context: SecurityContext = Field(
        None, alias="securityContext", description="Ray container securityContext."
    )
    volumes: VolumeList = Field(None, description="Extra pod volumes.")
    volume_mounts: MountList = Field(
        None, alias="volumeMounts", description="Extra Ray container mounts."
    )
    sidecar_containers: ContainerList = Field(
        None, alias="sidecarContainers", description="Extra containers in the pod."
    )
    lifecycle: Lifecycle = Field(None, description="Ray container lifecycle hooks.")


_RAY_ENV = [{"name": "RAY_SCHEDULER_SPREAD_THRESHOLD", "value": "0.0"}]
_LOG_VOLUME = [{"name": "log-volume", "emptyDir": {}}]
_LOG_MOUNT = [{"mountPath": "/tmp/ray", "name": "log-volume"}]


def _resources(cpu: str | int, memory: str) -> dict[str, dict[str, str | int]]:
    return {"limits": {"cpu": cpu, "memory": memory}, "requests": {"cpu": cpu, "memory": memory}}


class HeadValues(RayPodValues):
    """The Ray head pod."""

    model_config = ConfigDict(validate_default=True)

    ray_version: Text | None = Field(
        None,
        alias="rayVersion",
        description="The Ray release the image runs (spec.rayVersion); start parameters are "
        "checked against it.",
    )
    enable_in_tree_autoscaling: Flag | None = Field(
        None, alias="enableInTreeAutoscaling", description="Add the Ray autoscaler sidecar."
    )
    autoscaler_options: AutoscalerOptions | None = Field(
        None, alias="autoscalerOptions", description="Autoscaler overrides."
    )
    init_container_enabled: Flag | None = Field(
        True, alias="init_container_enabled", description="Run the chmod init container."
    )
    init_container: InitContainerValues = Field(
        default_factory=InitContainerValues,
        alias="initContainer",
        description="The head's init container.",
    )
    labels: StringMap = Field({}, description="Extra pod labels.")
    annotations: StringMap = Field({}, description="Pod annotations.")
    ray_start_params: dict[str, StartParam] | None = Field(
        _NO_PARAMS | {"dashboard-host": "0.0.0.0", "block": "true"},
        alias="rayStartParams",
        description="`ray start` parameters.",
    )
    container_env: EnvList = Field(_RAY_ENV, alias="containerEnv", description="Ray container env.")
    env_from: EnvFromList = Field([], alias="envFrom", description="Ray container envFrom.")
    ports: PortList = Field(
        [
            {"containerPort": 6379, "name": "gcs"},
            {"containerPort": 8265, "name": "dashboard"},
            {"containerPort": 10001, "name": "client"},
        ],
        description="Ray container ports.",
    )
    resources: Resources = Field(
        _resources("8000m", "32G"), description="Ray container requests and limits."
    )
    node_selector: StringMap = Field({}, alias="nodeSelector", description="Pod nodeSelector.")
    tolerations: TolerationList = Field([], description="Pod tolerations.")
    affinity: Affinity = Field({}, description="Pod affinity.")
    security_context: SecurityContext = Field(
        {}, alias="securityContext", description="Ray container securityContext."
    )
    volumes: VolumeList = Field(_LOG_VOLUME, description="Extra pod volumes.")
    volume_mounts: MountList = Field(
        _LOG_MOUNT, alias="volumeMounts", description="Extra Ray container mounts."
    )
    sidecar_containers: ContainerList = Field(
        [], alias="sidecarContainers", description="Extra containers in the pod."
    )
    service_type: ServiceType | None = Field(
        None, alias="serviceType", description="Head Service type; default: service.type."
    )
    head_service: KubeService = Field(
        None,
        alias="headService",
        description="Head Service overrides, a Service (KubeRay 0.5.2+; metadata.name renames it).",
    )


class WorkerGroupValues(RayPodValues):
    """A worker group. A key left out means empty; the chart's groups come with their defaults."""

    disabled: Flag | None = Field(None, description="Skip this group.")
    group_name: Text | None = Field(
        None,
        alias="groupName",
        description="Group name (default group only; extra groups are named by their key).",
    )
    replicas: Count | None = Field(None, ge=0, description="Workers to start; default minReplicas.")
    min_replicas: Count | None = Field(
        None, alias="minReplicas", ge=0, description="Autoscaling lower bound; default 1."
    )
    max_replicas: Count | None = Field(
        None, alias="maxReplicas", ge=0, description="Autoscaling upper bound; default 2147483647."
    )
    mini_replicas: Count | None = Field(
        None,
        alias="miniReplicas",
        ge=0,
        description="The chart's fallback spelling of minReplicas.",
    )
    maxi_replicas: Count | None = Field(
        None,
        alias="maxiReplicas",
        ge=0,
        description="The chart's fallback spelling of maxReplicas.",
    )
    init_container_image: Text | None = Field(
        None, alias="initContainerImage", description="Image of the wait-for-head init container."
    )
    init_container_security_context: SecurityContext = Field(
        None,
        alias="initContainerSecurityContext",
        description="securityContext of the init container.",
    )


def _chart_worker(**overrides: Any) -> WorkerGroupValues:
    data: dict[str, Any] = {
        "disabled": True,
        "replicas": 1,
        "labels": {},
        "rayStartParams": {"block": "true"},
        "initContainerImage": "busybox:1.28",
        "initContainerSecurityContext": {},
        "containerEnv": _RAY_ENV,
        "envFrom": [],
        "resources": _resources("8000m", "32G"),
        "annotations": {},
        "nodeSelector": {},
        "tolerations": [],
        "affinity": {},
        "securityContext": {},
        "volumes": _LOG_VOLUME,
        "volumeMounts": _LOG_MOUNT,
        "sidecarContainers": [],
    }
    return WorkerGroupValues.model_validate(data | overrides)


def _chart_groups(**groups: WorkerGroupValues | None) -> dict[str, WorkerGroupValues | None]:
    return groups


class ServiceValues(_Model):
    """The operator's Service; `type` is also the head Service type."""

    type: ServiceType = Field("ClusterIP", description="Service type (operator and Ray head).")
    port: Port = Field(8080, description="Operator Service port.")


class StorageValues(_Model):
    """The two ReadWriteMany claims shared by every Ray pod."""

    pv_label_key: Text | None = Field(
        "",
        alias="pvLabelKey",
        description="Without a storage class: bind ray-workflows-claim to PVs labelled "
        "pv-label-key=<this>.",
    )
    storage_class_name: Text | None = Field(
        "default", alias="storageClassName", description="StorageClass of both claims."
    )
    access_mode: AccessMode | None = Field(
        "ReadWriteMany", alias="accessMode", description="Access mode of both claims."
    )
    data_pv_label_key: Text | None = Field(
        "",
        alias="dataPvLabelKey",
        description="Without a storage class: bind ray-data-claim to PVs labelled "
        "pv-label-key=<this>.",
    )
    data_storage: Text | None = Field(
        None, alias="dataStorage", description="Size of ray-data-claim; default 100Gi."
    )


class ServiceAccountValues(_Model):
    """The operator's ServiceAccount."""

    create: Flag = Field(True, description="Create the ServiceAccount.")
    name: Text | None = Field(
        "kuberay-operator", description="Its name; default: the full name (or `default`)."
    )


class ProbeValues(_Model):
    """Timing of an operator probe."""

    initial_delay_seconds: Count = Field(
        10, alias="initialDelaySeconds", ge=0, description="Seconds before the first probe."
    )
    period_seconds: Count = Field(
        5, alias="periodSeconds", ge=1, description="Seconds between probes."
    )
    failure_threshold: Count = Field(
        5, alias="failureThreshold", ge=1, description="Failures before the probe fails."
    )


class BatchSchedulerValues(_Model):
    """KubeRay's batch scheduler integration (Volcano)."""

    enabled: Flag = Field(False, description="Start the operator with the batch scheduler.")
    name: SchedulerName | None = Field(
        None, description="Batch scheduler by name (KubeRay 1.2.2+): volcano, yunikorn, ..."
    )


class FeatureGateValues(_Model):
    """An operator feature gate."""

    name: Text = Field(description="Gate name, as the KubeRay release spells it.")
    enabled: Flag = Field(description="Switch it on or off.")


class KubeRayValues(_Model):
    """The KubeRay release the operator image runs."""

    version: KubeRayVersion = Field(
        None,
        description="KubeRay release (0.4.0 to 1.7.0): RayCluster apiVersion, operator flags, "
        "RBAC, CRDs; default 0.4.0.",
    )


class Values(_Model):
    """All values of the Ray chart."""

    model_config = ConfigDict(validate_default=True)

    syntho_license: LicenseKey = Field(
        "<put-your-own-license>",
        alias="SynthoLicense",
        description="Syntho license key, stored in the Secret ray-secret (surrounding "
        "whitespace, such as the newline --set-file reads, is dropped).",
    )
    manual_secret_name: Text | None = Field(
        None,
        alias="manualSecretName",
        description="Use this existing Secret (key license_key) instead of rendering ray-secret.",
    )
    clustername: Text = Field("ray-cluster", description="Name of the RayCluster.")
    image_pull_secrets: PullSecretList = Field(
        [{"name": "syntho-cr-secret"}],
        alias="imagePullSecrets",
        description="Pull secrets of every pod.",
    )
    operator_image: ImageValues = Field(
        default_factory=lambda: ImageValues.model_validate(
            {"repository": "syntho.azurecr.io/syntho-ray-operator", "tag": "latest"}
        ),
        alias="operatorImage",
        description="KubeRay operator image.",
    )
    image: ImageValues = Field(
        default_factory=lambda: ImageValues.model_validate(
            {"repository": "syntho.azurecr.io/syntho-ray", "tag": "latest-cpu"}
        ),
        description="Ray image of the head and workers.",
    )
    head: HeadValues = Field(default_factory=HeadValues, description="The Ray head.")
    worker: WorkerGroupValues | None = Field(
        default_factory=lambda: _chart_worker(groupName="workergroup"),
        description="The default worker group (disabled by default).",
    )
    additional_worker_groups: dict[str, WorkerGroupValues | None] | None = Field(
        default_factory=lambda: _chart_groups(
            smallGroup=_chart_worker(minReplicas=1, maxReplicas=3, resources=_resources(1, "1G"))
        ),
        alias="additionalWorkerGroups",
        description="More worker groups, keyed by group name.",
    )
    service: ServiceValues = Field(default_factory=ServiceValues, description="Services.")
    name_override: Text | None = Field(
        "kuberay", alias="nameOverride", description="The app.kubernetes.io/name label."
    )
    fullname_override: Text | None = Field(
        "kuberay-operator",
        alias="fullnameOverride",
        description="Name of the operator and its RBAC.",
    )
    storage: StorageValues = Field(default_factory=StorageValues, description="Shared volumes.")
    service_account: ServiceAccountValues = Field(
        default_factory=ServiceAccountValues,
        alias="serviceAccount",
        description="Operator ServiceAccount.",
    )
    resources: Resources = Field(
        {"limits": {"cpu": "100m", "memory": "512Mi"}}, description="Operator container resources."
    )
    liveness_probe: ProbeValues = Field(
        default_factory=ProbeValues, alias="livenessProbe", description="Operator liveness probe."
    )
    readiness_probe: ProbeValues = Field(
        default_factory=ProbeValues, alias="readinessProbe", description="Operator readiness probe."
    )
    rbac_enable: Flag = Field(True, alias="rbacEnable", description="Render the operator's RBAC.")
    batch_scheduler: BatchSchedulerValues = Field(
        default_factory=BatchSchedulerValues, alias="batchScheduler", description="Batch scheduler."
    )
    security_context: SecurityContext = Field(
        {}, alias="securityContext", description="Operator container securityContext."
    )
    pod_security_context: PodSecurityContext = Field(
        None, alias="podSecurityContext", description="Operator pod securityContext."
    )
    node_selector: StringMap = Field({}, alias="nodeSelector", description="Operator nodeSelector.")
    tolerations: TolerationList = Field([], description="Operator tolerations.")
    affinity: Affinity = Field({}, description="Operator affinity.")
    annotations: StringMap = Field(None, description="Annotations of the RayCluster.")
    kuberay: KubeRayValues | None = Field(None, description="The KubeRay release.")
    watch_namespace: list[Namespace] | None = Field(
        None,
        alias="watchNamespace",
        description="Namespaces the operator watches (RBAC in each); default: the release's.",
    )
    leader_election_enabled: Flag | None = Field(
        None,
        alias="leaderElectionEnabled",
        description="Operator leader election; default: the operator's (on).",
    )
    feature_gates: list[FeatureGateValues] | None = Field(
        None, alias="featureGates", description="Operator feature gates (KubeRay 1.2+)."
    )
    platform: Platform | None = Field(
        None, description="openshift: pods for the restricted-v2 SCC; default: kubernetes."
    )
    registry: Registry | None = Field(
        None, description="Mirror registry HOST[:PORT][/PREFIX] every image is pulled from."
    )

    @property
    def kuberay_release(self) -> str:
        """The KubeRay release the values render for (the chart's 0.4.0 unless set)."""
        return (self.kuberay.version if self.kuberay else None) or kuberay.CHART_RELEASE

    @model_validator(mode="after")
    def _fits_the_kuberay_release(self) -> Values:
        """Settings the chosen KubeRay release does not have are refused, at their key."""
        found = [*_scheduler_problems(self), *_release_problems(self)]
        if found:
            raise ValidationError.from_exception_data(
                "Values",
                [
                    InitErrorDetails(
                        type=PydanticCustomError("kuberay", "{message}", {"message": message}),
                        loc=path,
                        input=value,
                    )
                    for path, message, value in found
                ],
            )
        return self


# (key path, message, value) of a setting the chosen KubeRay release does not have.
ReleaseProblem = tuple[KeyPath, str, Any]


def _scheduler_problems(values: Values) -> Iterator[ReleaseProblem]:
    name = values.batch_scheduler.name
    if name is None:
        return
    version = values.kuberay_release
    path: KeyPath = ("batchScheduler", "name")
    known = kuberay.scheduler_names(version)
    if not known:
        yield path, f"KubeRay {version} has no --batch-scheduler (from 1.2.2); use enabled", name
    elif name not in known:
        yield path, f"KubeRay {version} knows the batch schedulers {', '.join(known)}", name
    if values.batch_scheduler.enabled:
        yield path, "set either batchScheduler.enabled or batchScheduler.name, not both", name


def _release_problems(values: Values) -> Iterator[ReleaseProblem]:
    version = values.kuberay_release
    namespaces = values.watch_namespace or []
    if len(namespaces) > 1 and not kuberay.WATCH_NAMESPACE_LIST.holds_for(version):
        message = f"KubeRay {version} watches one namespace (a list from 0.5.2)"
        yield ("watchNamespace",), message, namespaces
    service = values.head.head_service
    if service is not None and not kuberay.HEAD_SERVICE.holds_for(version):
        yield ("head", "headService"), f"KubeRay {version} has no headService (from 0.5.2)", service
    known = kuberay.gate_names(version)
    for index, gate in enumerate(values.feature_gates or []):
        if gate.name not in known:
            have = f"'s gates are {', '.join(known)}" if known else " has none (from 1.2.0)"
            yield ("featureGates", index, "name"), f"KubeRay {version}{have}", gate.name


@cache
def chart_defaults() -> dict[str, Any]:
    """The default values as plain data, the way the chart's values.yaml has them."""
    return Values().model_dump(mode="python", exclude_none=True)


DEFAULT_MIN_REPLICAS = 1
DEFAULT_MAX_REPLICAS = INT32_MAX


def replica_bounds(group: WorkerGroupValues) -> tuple[int, int, int]:
    """(replicas, minReplicas, maxReplicas) of a 1.13 group; explicit zeros are kept."""
    low = _first(group.min_replicas, group.mini_replicas, DEFAULT_MIN_REPLICAS)
    high = _first(group.max_replicas, group.maxi_replicas, DEFAULT_MAX_REPLICAS)
    return _first(group.replicas, low), low, high


def _first(*candidates: int | None) -> int:
    return next(c for c in candidates if c is not None)


def enabled_worker_groups(values: Values) -> list[tuple[str, WorkerGroupValues]]:
    """(name, group) of every enabled group: extra groups by name, then the default group."""
    groups = [
        (name, group)
        for name, group in sorted((values.additional_worker_groups or {}).items())
        if group is not None and group.disabled is not True
    ]
    worker = values.worker
    if worker is not None and not worker.disabled:
        groups.append((worker.group_name or "", worker))
    return groups
