"""`Resolved`: the settings of a release in the one shape the builders read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from syntho_ray.facts.charts import ChartFacts
from syntho_ray.k8s import client
from syntho_ray.values.shared import enabled_groups

if TYPE_CHECKING:
    from syntho_ray.values.shared import (
        AutoscalerOptions,
        FeatureGateValues,
        ImageValues,
        ProbeValues,
        ServiceAccountValues,
        ServiceType,
        StartParam,
        StorageValues,
    )

SECRET_NAME = "ray-secret"
SECRET_KEY = "license_key"
LICENSE_ENV = "LICENSE_KEY_SIGNED"
# Kubernetes-typed settings hold `kubernetes` client models (a list of them, or None).
Kube = Any


@dataclass(frozen=True, kw_only=True)
class OperatorLogging:
    """Where and how the operator logs (`--log-*` flags); None: the flag is left out."""

    stdout_encoder: str | None
    file_encoder: str | None
    base_dir: str | None
    file_name: str | None


@dataclass(frozen=True, kw_only=True)
class BatchScheduler:
    """The operator's batch scheduler: Volcano by `enabled`, or one by name."""

    enabled: bool | None
    name: str | None


@dataclass(frozen=True, kw_only=True)
class OperatorService:
    """The operator's Service."""

    type: ServiceType
    port: int


@dataclass(frozen=True, kw_only=True)
class Operator:
    """The KubeRay operator: its Deployment, Service, ServiceAccount and RBAC."""

    image: ImageValues
    image_pull_secrets: Kube
    name_override: str | None
    fullname_override: str | None
    service_account: ServiceAccountValues
    service: OperatorService
    resources: Kube
    logging: OperatorLogging
    liveness_probe: ProbeValues
    readiness_probe: ProbeValues
    batch_scheduler: BatchScheduler
    feature_gates: list[FeatureGateValues] | None
    pod_security_context: Kube
    security_context: Kube
    use_kubernetes_proxy: bool | None
    leader_election_enabled: bool | None
    rbac_enable: bool | None
    cr_namespaced_rbac_enable: bool | None
    single_namespace_install: bool | None
    watch_namespace: list[str] | None
    env: Kube
    labels: dict[str, str] | None
    annotations: dict[str, str] | None
    node_selector: dict[str, str] | None
    affinity: Kube
    tolerations: Kube


@dataclass(frozen=True, kw_only=True)
class RayPod:
    """A Ray pod group's settings (the head or a worker group), as the RayCluster has them."""

    labels: dict[str, str] | None
    annotations: dict[str, str] | None
    service_account_name: str | None
    restart_policy: str | None
    init_containers: Kube
    ray_start_params: dict[str, StartParam] | None
    init_args: dict[str, StartParam] | None
    image: ImageValues | None
    container_env: Kube
    env_from: Kube
    ports: Kube
    resources: Kube
    security_context: Kube
    pod_security_context: Kube
    volumes: Kube
    volume_mounts: Kube
    sidecar_containers: Kube
    command: list[str] | None
    args: list[str] | None
    lifecycle: Kube
    node_selector: dict[str, str] | None
    tolerations: Kube
    affinity: Kube
    priority_class_name: str | None
    priority: int | None


@dataclass(frozen=True, kw_only=True)
class Head(RayPod):
    """The Ray head."""

    ray_version: str | None
    enable_in_tree_autoscaling: bool | None
    autoscaler_options: AutoscalerOptions | None
    head_service: Kube


@dataclass(frozen=True, kw_only=True)
class WorkerGroup(RayPod):
    """A worker group, its replica bounds made explicit."""

    disabled: bool | None
    replicas: int | None
    min_replicas: int
    max_replicas: int
    num_of_hosts: int | None  # None: left out (chart 1.13 does not write it)
    group_name: str | None  # the default group's; an extra group is named by its key


@dataclass(frozen=True, kw_only=True)
class RayClusterSettings:
    """The RayCluster."""

    image: ImageValues
    name_override: str | None
    fullname_override: str | None
    image_pull_secrets: Kube
    annotations: dict[str, str] | None
    common_env: Kube  # env of every Ray container, before the group's own
    head: Head
    worker: WorkerGroup | None
    additional_worker_groups: dict[str, WorkerGroup | None] | None
    service_type: ServiceType  # of the head Service


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting of a release, in the layout of chart 1.14."""

    syntho_license: str
    manual_secret_name: str | None
    storage: StorageValues
    operator: Operator
    cluster: RayClusterSettings


@dataclass(frozen=True)
class Resolved:
    """Every setting of a release in the one shape the builders read, and its chart
    generation's facts."""

    values: Settings
    facts: ChartFacts
    kuberay: str  # the KubeRay release rendered for

    @property
    def secret_name(self) -> str:
        """The Secret the Ray pods read the license from."""
        return self.values.manual_secret_name or SECRET_NAME

    def worker_groups(self) -> list[tuple[str, WorkerGroup]]:
        """(name, group) of every enabled group: extra groups by name, then the default one."""
        cluster = self.values.cluster
        name = cluster.worker.group_name if cluster.worker else None
        return enabled_groups(cluster.additional_worker_groups, cluster.worker, name)


def license_env(secret_name: str) -> client.V1EnvVar:
    """`LICENSE_KEY_SIGNED` from the license Secret."""
    return client.V1EnvVar(
        name=LICENSE_ENV,
        value_from=client.V1EnvVarSource(
            secret_key_ref=client.V1SecretKeySelector(name=secret_name, key=SECRET_KEY)
        ),
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
