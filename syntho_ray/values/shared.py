"""What both chart generations' values models are made of: typed scalars, Kubernetes-typed
fields (the YAML a manifest takes, held as `kubernetes` client models), and the parts both
layouts have (an image, a probe, the operator's ServiceAccount, the keys of a Ray pod).

`values.model` (chart 1.13) and `values.model114` (chart 1.14) extend these; a value of `None`
means the key is absent (a user's `null` removes a chart default, as in Helm).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any, Literal, Protocol, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from syntho_ray.k8s.data import KubeDataError, from_data, to_data
from syntho_ray.k8s.patterns import DNS_LABEL

PullPolicy = Literal["Always", "IfNotPresent", "Never"]
AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]
UpscalingMode = Literal["Default", "Aggressive", "Conservative"]
RestartPolicy = Literal["", "Always", "OnFailure", "Never"]
Encoder = Literal["", "json", "console"]  # of the operator's log
Namespace = Annotated[str, StringConstraints(pattern=DNS_LABEL.pattern)]
NamespaceList = list[Namespace] | None
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


def _stripped(text: str) -> str:
    """The text without surrounding blanks (a Python function: pydantic reads the signature
    of a builtin such as `str.strip` through the tokenizer, a few ms at every start)."""
    return text.strip()


LicenseKey = Annotated[Text, AfterValidator(_stripped)]


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


def _camel(name: str) -> str:
    """A field's key in a values file: `ray_start_params` is rayStartParams."""
    first, *rest = name.split("_")
    return first + "".join(map(str.capitalize, rest))


class ValuesModel(BaseModel):
    """A part of the values: frozen, unknown keys refused, keys by the chart's spelling: the
    camelCase of the field's name (`ray_start_params`: rayStartParams) unless it says `alias`."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        arbitrary_types_allowed=True,
    )


def requests_and_limits(cpu: str | int, memory: str) -> dict[str, dict[str, str | int]]:
    """A container's resources with the same requests and limits (the charts' defaults)."""
    return {"limits": {"cpu": cpu, "memory": memory}, "requests": {"cpu": cpu, "memory": memory}}


OPERATOR_RESOURCES = {"limits": {"cpu": "100m", "memory": "512Mi"}}
PULL_SECRETS = [{"name": "syntho-cr-secret"}]


class ImageValues(ValuesModel):
    """A container image."""

    repository: Text = Field(description="Image repository, without the tag.")
    tag: Text = Field(description="Image tag.")
    pull_policy: PullPolicy = Field("IfNotPresent", description="Kubernetes imagePullPolicy.")

    @property
    def reference(self) -> str:
        """`repository:tag`."""
        return f"{self.repository}:{self.tag}"


def chart_image(repository: str, tag: str) -> ImageValues:
    """An image with the default pull policy."""
    return ImageValues.model_validate({"repository": repository, "tag": tag})


class AutoscalerOptions(ValuesModel):
    """Overrides for the Ray autoscaler sidecar (KubeRay `autoscalerOptions`)."""

    upscaling_mode: UpscalingMode | None = Field(
        None, description="Default, Aggressive or Conservative."
    )
    idle_timeout_seconds: Count | None = Field(
        None, ge=0, description="Seconds before an idle worker is removed."
    )
    image: Text | None = Field(None, description="Autoscaler image; default: the Ray image.")
    image_pull_policy: PullPolicy | None = Field(None, description="Autoscaler imagePullPolicy.")
    resources: Resources = Field(None, description="Autoscaler container resources.")
    env: EnvList = Field(None, description="Autoscaler container env.")
    env_from: EnvFromList = Field(None, description="Autoscaler envFrom.")
    security_context: SecurityContext = Field(None, description="Autoscaler securityContext.")


class RayPod(ValuesModel):
    """The keys of a Ray pod group (the head or a worker group) both charts read."""

    labels: StringMap = Field(None, description="Extra pod labels.")
    annotations: StringMap = Field(None, description="Pod annotations.")
    ray_start_params: dict[str, StartParam] | None = Field(
        None, description="`ray start` parameters."
    )
    init_args: dict[str, StartParam] | None = Field(
        None, description="Deprecated alias of rayStartParams (wins on clash)."
    )
    container_env: EnvList = Field(None, description="Ray container env.")
    env_from: EnvFromList = Field(None, description="Ray container envFrom.")
    ports: PortList = Field(None, description="Ray container ports.")
    resources: Resources = Field(None, description="Ray container requests and limits.")
    node_selector: StringMap = Field(None, description="Pod nodeSelector.")
    tolerations: TolerationList = Field(None, description="Pod tolerations.")
    affinity: Affinity = Field(None, description="Pod affinity.")
    security_context: SecurityContext = Field(None, description="Ray container securityContext.")
    volumes: VolumeList = Field(None, description="Pod volumes; chart 1.13 adds its shared claims.")
    volume_mounts: MountList = Field(
        None, description="Ray container mounts; chart 1.13 adds its shared claims' mounts."
    )
    sidecar_containers: ContainerList = Field(
        None, description="Containers after the Ray container."
    )
    lifecycle: Lifecycle = Field(None, description="Ray container lifecycle hooks.")


def pv_label(claim: str, default: str | None) -> Any:
    """The field of a claim's PV label (`pvLabelKey`, `dataPvLabelKey`)."""
    doc = f"Without a storage class: bind {claim} to PVs labelled pv-label-key=<this>."
    return Field(default, description=doc)


class Group(Protocol):
    """A worker group of either generation, as far as choosing the enabled ones goes."""

    @property
    def disabled(self) -> bool | None: ...


GroupT = TypeVar("GroupT", bound=Group)


def enabled_groups(
    extra: Mapping[str, GroupT | None] | None, worker: GroupT | None, worker_name: str | None
) -> list[tuple[str, GroupT]]:
    """(name, group) of every enabled group: the extra groups by name (`disabled` must be
    true to skip one), then the default group (unless `disabled`), named `worker_name`."""
    groups = [
        (name, group)
        for name, group in sorted((extra or {}).items())
        if group is not None and group.disabled is not True
    ]
    if worker is not None and not worker.disabled:
        groups.append((worker_name or "", worker))
    return groups


class StorageValues(ValuesModel):
    """The two ReadWriteMany claims shared by every Ray pod."""

    pv_label_key: Text | None = pv_label("ray-workflows-claim", "")
    storage_class_name: Text | None = Field("default", description="StorageClass of both claims.")
    access_mode: AccessMode | None = Field(
        "ReadWriteMany", description="Access mode of both claims."
    )
    data_pv_label_key: Text | None = pv_label("ray-data-claim", "")
    data_storage: Text | None = Field(None, description="Size of ray-data-claim; default 100Gi.")


class ChartValues(ValuesModel):
    """The top of either generation's values: where the license comes from."""

    model_config = ConfigDict(validate_default=True)

    syntho_license: LicenseKey = Field(
        "<put-your-own-license>",
        alias="SynthoLicense",
        description="Syntho license key, stored in the Secret ray-secret (surrounding "
        "whitespace, such as the newline --set-file reads, is dropped).",
    )
    manual_secret_name: Text | None = Field(
        None,
        description="Use this existing Secret (key license_key) instead of rendering ray-secret.",
    )


class ServiceAccountValues(ValuesModel):
    """The operator's ServiceAccount."""

    create: Flag = Field(True, description="Create the ServiceAccount.")
    name: Text | None = Field(
        "kuberay-operator", description="Its name; default: the full name (or `default`)."
    )


class ProbeValues(ValuesModel):
    """Timing of an operator probe."""

    initial_delay_seconds: Count = Field(10, ge=0, description="Seconds before the first probe.")
    period_seconds: Count = Field(5, ge=1, description="Seconds between probes.")
    failure_threshold: Count = Field(5, ge=1, description="Failures before the probe fails.")


class FeatureGateValues(ValuesModel):
    """An operator feature gate."""

    name: Text = Field(description="Gate name, as the KubeRay release spells it.")
    enabled: Flag = Field(description="Switch it on or off.")
