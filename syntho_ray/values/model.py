"""The values model: every key of the chart's `values.yaml`, typed and frozen.

Defaults equal the chart's `values.yaml` at 47f975a. Keys keep the chart's spelling (a
field's name in camelCase, or its `alias`); fields that are Kubernetes types take the same
YAML a Kubernetes manifest takes and hold `kubernetes` client models. A value of `None` means
the key is absent (a user's `null` removes a chart default, as in Helm).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from syntho_ray.errors import KeyPath
from syntho_ray.facts import kuberay
from syntho_ray.values.shared import (
    INT32_MAX,
    OPERATOR_RESOURCES,
    PULL_SECRETS,
    Affinity,
    AutoscalerOptions,
    ChartValues,
    Count,
    FeatureGateValues,
    Flag,
    ImageValues,
    KubeService,
    NamespaceList,
    PodSecurityContext,
    Port,
    ProbeValues,
    PullSecretList,
    RayPod,
    Resources,
    SecurityContext,
    ServiceAccountValues,
    ServiceType,
    StartParam,
    StorageValues,
    StringMap,
    Text,
    TolerationList,
    ValuesModel,
    chart_image,
    enabled_groups,
    requests_and_limits,
)

Platform = Literal["kubernetes", "openshift"]
SchedulerName = Annotated[str, WithJsonSchema({"enum": [s.name for s in kuberay.SCHEDULERS]})]
Registry = Annotated[str, StringConstraints(pattern=r"^[\w.-]+(:\d+)?(/[a-z0-9._-]+)*/?$")]


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


_CHMOD_SHARED: tuple[StartParam, ...] = (
    "chmod",
    "-R",
    "777",
    "/tmp/ray-workflows",
    "/tmp/ray-data",
)


class InitContainerValues(ValuesModel):
    """The head's init container that opens up the shared volumes."""

    arguments: list[StartParam] | None = Field(
        default_factory=lambda: list(_CHMOD_SHARED),
        description="The init container's command.",
    )
    security_context: SecurityContext = Field(
        {}, validate_default=True, description="The init container's securityContext."
    )
    image: Text | None = Field("busybox:1.28", description="Init container image.")


class RayPodValues(RayPod):
    """Settings shared by the head and every worker group's pods."""


_RAY_ENV = [{"name": "RAY_SCHEDULER_SPREAD_THRESHOLD", "value": "0.0"}]
_LOG_VOLUME = [{"name": "log-volume", "emptyDir": {}}]
_LOG_MOUNT = [{"mountPath": "/tmp/ray", "name": "log-volume"}]


class HeadValues(RayPodValues):
    """The Ray head pod."""

    model_config = ConfigDict(validate_default=True)

    ray_version: Text | None = Field(
        None,
        description="The Ray release the image runs (spec.rayVersion); start parameters are "
        "checked against it.",
    )
    enable_in_tree_autoscaling: Flag | None = Field(
        None, description="Add the Ray autoscaler sidecar."
    )
    autoscaler_options: AutoscalerOptions | None = Field(None, description="Autoscaler overrides.")
    init_container_enabled: Flag | None = Field(
        True, alias="init_container_enabled", description="Run the chmod init container."
    )
    init_container: InitContainerValues = Field(
        default_factory=InitContainerValues, description="The head's init container."
    )
    service_type: ServiceType | None = Field(
        None, description="Head Service type; default: service.type."
    )
    head_service: KubeService = Field(
        None,
        description="Head Service overrides, a Service (KubeRay 0.5.2+; metadata.name renames it).",
    )


class WorkerGroupValues(RayPodValues):
    """A worker group. A key left out means empty; the chart's groups come with their defaults."""

    disabled: Flag | None = Field(None, description="Skip this group.")
    group_name: Text | None = Field(
        None, description="Group name (default group only; extra groups are named by their key)."
    )
    replicas: Count | None = Field(None, ge=0, description="Workers to start; default minReplicas.")
    min_replicas: Count | None = Field(
        None, ge=0, description="Autoscaling lower bound; default 1."
    )
    max_replicas: Count | None = Field(
        None, ge=0, description="Autoscaling upper bound; default 2147483647."
    )
    mini_replicas: Count | None = Field(
        None, ge=0, description="The chart's fallback spelling of minReplicas."
    )
    maxi_replicas: Count | None = Field(
        None, ge=0, description="The chart's fallback spelling of maxReplicas."
    )
    init_container_image: Text | None = Field(
        None, description="Image of the wait-for-head init container."
    )
    init_container_security_context: SecurityContext = Field(
        None, description="securityContext of the init container."
    )


# What the chart gives the head and every worker group it defines.
_CHART_POD: dict[str, Any] = {
    "labels": {},
    "annotations": {},
    "containerEnv": _RAY_ENV,
    "envFrom": [],
    "resources": requests_and_limits("8000m", "32G"),
    "nodeSelector": {},
    "tolerations": [],
    "affinity": {},
    "securityContext": {},
    "volumes": _LOG_VOLUME,
    "volumeMounts": _LOG_MOUNT,
    "sidecarContainers": [],
}


def _chart_head() -> HeadValues:
    ports = [
        {"containerPort": 6379, "name": "gcs"},
        {"containerPort": 8265, "name": "dashboard"},
        {"containerPort": 10001, "name": "client"},
    ]
    params = {"dashboard-host": "0.0.0.0", "block": "true"}
    return HeadValues.model_validate(_CHART_POD | {"rayStartParams": params, "ports": ports})


def _chart_worker(**overrides: Any) -> WorkerGroupValues:
    worker = {
        "disabled": True,
        "replicas": 1,
        "rayStartParams": {"block": "true"},
        "initContainerImage": "busybox:1.28",
        "initContainerSecurityContext": {},
    }
    return WorkerGroupValues.model_validate(_CHART_POD | worker | overrides)


def _chart_groups(**groups: WorkerGroupValues | None) -> dict[str, WorkerGroupValues | None]:
    return groups


class ServiceValues(ValuesModel):
    """The operator's Service; `type` is also the head Service type."""

    type: ServiceType = Field("ClusterIP", description="Service type (operator and Ray head).")
    port: Port = Field(8080, description="Operator Service port.")


class BatchSchedulerValues(ValuesModel):
    """KubeRay's batch scheduler integration (Volcano)."""

    enabled: Flag = Field(False, description="Start the operator with the batch scheduler.")
    name: SchedulerName | None = Field(
        None, description="Batch scheduler by name (KubeRay 1.2.2+): volcano, yunikorn, ..."
    )


class KubeRayValues(ValuesModel):
    """The KubeRay release the operator image runs."""

    version: KubeRayVersion = Field(
        None,
        description="KubeRay release (0.4.0 to 1.7.0): RayCluster apiVersion, operator flags, "
        "RBAC, CRDs; default 0.4.0.",
    )


class Values(ChartValues):
    """All values of the Ray chart."""

    clustername: Text = Field("ray-cluster", description="Name of the RayCluster.")
    image_pull_secrets: PullSecretList = Field(
        PULL_SECRETS, description="Pull secrets of every pod."
    )
    operator_image: ImageValues = Field(
        default_factory=lambda: chart_image("syntho.azurecr.io/syntho-ray-operator", "latest"),
        description="KubeRay operator image.",
    )
    image: ImageValues = Field(
        default_factory=lambda: chart_image("syntho.azurecr.io/syntho-ray", "latest-cpu"),
        description="Ray image of the head and workers.",
    )
    head: HeadValues = Field(default_factory=_chart_head, description="The Ray head.")
    worker: WorkerGroupValues | None = Field(
        default_factory=lambda: _chart_worker(groupName="workergroup"),
        description="The default worker group (disabled by default).",
    )
    additional_worker_groups: dict[str, WorkerGroupValues | None] | None = Field(
        default_factory=lambda: _chart_groups(
            smallGroup=_chart_worker(
                minReplicas=1, maxReplicas=3, resources=requests_and_limits(1, "1G")
            )
        ),
        description="More worker groups, keyed by group name.",
    )
    service: ServiceValues = Field(default_factory=ServiceValues, description="Services.")
    name_override: Text | None = Field("kuberay", description="The app.kubernetes.io/name label.")
    fullname_override: Text | None = Field(
        "kuberay-operator", description="Name of the operator and its RBAC."
    )
    storage: StorageValues = Field(default_factory=StorageValues, description="Shared volumes.")
    service_account: ServiceAccountValues = Field(
        default_factory=ServiceAccountValues, description="Operator ServiceAccount."
    )
    resources: Resources = Field(OPERATOR_RESOURCES, description="Operator container resources.")
    liveness_probe: ProbeValues = Field(
        default_factory=ProbeValues, description="Operator liveness probe."
    )
    readiness_probe: ProbeValues = Field(
        default_factory=ProbeValues, description="Operator readiness probe."
    )
    rbac_enable: Flag = Field(True, description="Render the operator's RBAC.")
    batch_scheduler: BatchSchedulerValues = Field(
        default_factory=BatchSchedulerValues, description="Batch scheduler."
    )
    security_context: SecurityContext = Field({}, description="Operator container securityContext.")
    pod_security_context: PodSecurityContext = Field(
        None, description="Operator pod securityContext."
    )
    node_selector: StringMap = Field({}, description="Operator nodeSelector.")
    tolerations: TolerationList = Field([], description="Operator tolerations.")
    affinity: Affinity = Field({}, description="Operator affinity.")
    annotations: StringMap = Field(None, description="Annotations of the RayCluster.")
    kuberay: KubeRayValues | None = Field(None, description="The KubeRay release.")
    watch_namespace: NamespaceList = Field(
        None, description="Namespaces the operator watches (RBAC in each); default: the release's."
    )
    leader_election_enabled: Flag | None = Field(
        None, description="Operator leader election; default: the operator's (on)."
    )
    feature_gates: list[FeatureGateValues] | None = Field(
        None, description="Operator feature gates (KubeRay 1.2+)."
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
    worker = values.worker
    name = worker.group_name if worker else None
    return enabled_groups(values.additional_worker_groups, worker, name)
