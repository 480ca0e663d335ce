"""Chart 1.14's values in chart 1.13's layout, key by key, and what chart 1.13 cannot carry.

Chart 1.13 adds the two shared claims, the chmod init container and the license env to every
Ray pod by itself, so they are taken out of the lists here; it has one pull-secret list, one
Service type and no per-group pod settings beyond its own keys.
"""

from __future__ import annotations

from typing import Any

from syntho_ray.facts.charts import CHART_114
from syntho_ray.resolve.resolved import LICENSE_ENV, SECRET_KEY
from syntho_ray.values.model114 import Values114

# Keys of `kuberay-operator:` that chart 1.13 has under the same name, at the top.
OPERATOR_KEYS = (
    "nameOverride",
    "fullnameOverride",
    "serviceAccount",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "featureGates",
    "podSecurityContext",
    "securityContext",
    "leaderElectionEnabled",
    "rbacEnable",
    "watchNamespace",
    "nodeSelector",
    "affinity",
    "tolerations",
)
# Keys of a Ray group that chart 1.13 has under the same name.
GROUP_KEYS = (
    "labels",
    "annotations",
    "rayStartParams",
    "initArgs",
    "containerEnv",
    "envFrom",
    "ports",
    "resources",
    "nodeSelector",
    "tolerations",
    "affinity",
    "securityContext",
    "volumes",
    "volumeMounts",
    "sidecarContainers",
    "lifecycle",
)
HEAD_KEYS = ("rayVersion", "enableInTreeAutoscaling", "autoscalerOptions", "headService")
WORKER_KEYS = ("disabled", "replicas", "minReplicas", "maxReplicas")
# Keys chart 1.13 has no place for, and the value that means "not used".
_UNUSED_GROUP: dict[str, Any] = {
    "serviceAccountName": "",
    "restartPolicy": "",
    "podSecurityContext": {},
    "command": [],
    "args": [],
    "image": None,
    "priorityClassName": "",
    "priority": None,
    "numOfHosts": 1,
}
_UNUSED_OPERATOR: dict[str, Any] = {
    "useKubernetesProxy": None,
    "env": None,
    "labels": None,
    "annotations": None,
    "crNamespacedRbacEnable": True,
    "singleNamespaceInstall": True,
}


def to_113(values: Values114) -> tuple[dict[str, Any], list[str]]:
    """The values in chart 1.13's layout, and what it cannot carry (one line each)."""
    data = values.model_dump(mode="json", by_alias=True, exclude_none=False, warnings=False)
    operator, cluster = data["kuberay-operator"], data["ray-cluster"]
    lost: list[str] = []
    out: dict[str, Any] = {
        "SynthoLicense": data["SynthoLicense"],
        "manualSecretName": data["manualSecretName"],
        "storage": data["storage"],
        "kuberay": {"version": CHART_114.kuberay},
        "operatorImage": operator["image"],
        "image": cluster["image"],
        "clustername": cluster["fullnameOverride"],
        "annotations": cluster["annotations"],
        **{key: operator[key] for key in OPERATOR_KEYS},
        **_operator(operator, cluster, lost),
    }
    common = _common_env(cluster, values, lost)
    out["head"] = _group("ray-cluster.head", cluster["head"], common, HEAD_KEYS, lost)
    out["head"].update(_head_init(cluster["head"], lost))
    if cluster["service"]["type"] != operator["service"]["type"]:
        out["head"]["serviceType"] = cluster["service"]["type"]
    worker = cluster["worker"]
    out["worker"] = worker and {
        "groupName": worker["groupName"],
        **_group("ray-cluster.worker", worker, common, WORKER_KEYS, lost),
    }
    extra = cluster["additionalWorkerGroups"]
    out["additionalWorkerGroups"] = extra and {
        name: group
        and _group(f"ray-cluster.additionalWorkerGroups.{name}", group, common, WORKER_KEYS, lost)
        for name, group in extra.items()
    }
    if not cluster["fullnameOverride"]:
        lost.append(
            "ray-cluster.fullnameOverride is empty: chart 1.13 names the RayCluster by "
            "clustername (default ray-cluster), not after the release"
        )
    return out, lost


def _operator(operator: dict[str, Any], cluster: dict[str, Any], lost: list[str]) -> dict[str, Any]:
    """The operator keys whose shape differs, and the ones chart 1.13 lacks."""
    for key, unused in _UNUSED_OPERATOR.items():
        if operator[key] != unused:
            lost.append(f"kuberay-operator.{key}: chart 1.13 has no such setting")
    if any(operator["logging"].values()):
        lost.append("kuberay-operator.logging: chart 1.13 has no operator log settings")
    secrets = cluster["imagePullSecrets"]
    if operator["imagePullSecrets"] != secrets:
        lost.append(
            "kuberay-operator.imagePullSecrets: chart 1.13 has one list for every pod; "
            "ray-cluster.imagePullSecrets is used"
        )
    service = operator["service"]
    scheduler = operator["batchScheduler"]
    return {
        "imagePullSecrets": secrets,
        "service": service,
        "batchScheduler": {"enabled": scheduler["enabled"], "name": scheduler["name"] or None},
    }


def _common_env(cluster: dict[str, Any], values: Values114, lost: list[str]) -> list[Any]:
    """`common.containerEnv` without the license env (chart 1.13 adds it to every pod)."""
    found = []
    for env in cluster["common"]["containerEnv"] or []:
        ref = ((env.get("valueFrom") or {}).get("secretKeyRef")) or {}
        if env.get("name") == LICENSE_ENV and ref.get("key") == SECRET_KEY:
            secret = values.manual_secret_name or "ray-secret"
            if ref.get("name") != secret:
                lost.append(
                    f"ray-cluster.common.containerEnv: the license is read from "
                    f"{ref.get('name')}; chart 1.13 reads it from {secret} (manualSecretName)"
                )
            continue
        found.append(env)
    return found


def _group(
    path: str, group: dict[str, Any], common: list[Any], own: tuple[str, ...], lost: list[str]
) -> dict[str, Any]:
    out = {key: group[key] for key in (*GROUP_KEYS, *own)}
    out["containerEnv"] = [*common, *(group["containerEnv"] or [])]
    out["volumes"] = [v for v in group["volumes"] or [] if v["name"] not in _SHARED]
    out["volumeMounts"] = [m for m in group["volumeMounts"] or [] if m["name"] not in _SHARED]
    for key, unused in _UNUSED_GROUP.items():
        if group.get(key) not in (None, unused):
            lost.append(f"{path}.{key}: chart 1.13 has no such setting for a Ray group")
    options = group.get("autoscalerOptions")
    if options:
        if options.get("volumeMounts"):
            lost.append(f"{path}.autoscalerOptions.volumeMounts: chart 1.13 has no such setting")
        out["autoscalerOptions"] = {k: v for k, v in options.items() if k != "volumeMounts"}
    if path != "ray-cluster.head" and group.get("initContainers"):
        lost.append(
            f"{path}.initContainers: chart 1.13 gives workers its own wait-for-head init "
            "container only"
        )
    return out


_SHARED = frozenset({"ray-workflows", "ray-data"})


def _head_init(head: dict[str, Any], lost: list[str]) -> dict[str, Any]:
    """Chart 1.14's chmod init container as chart 1.13's `initContainer` settings."""
    init = head["initContainers"] or []
    chmod = [c for c in init if c.get("name") == "init-busybox"]
    for container in init:
        if container.get("name") != "init-busybox":
            lost.append(
                f"ray-cluster.head.initContainers: {container.get('name')}: chart 1.13 runs "
                "only its chmod init container"
            )
    if not chmod:
        return {"init_container_enabled": False}
    container = chmod[0]
    return {
        "init_container_enabled": True,
        "initContainer": {
            "arguments": container.get("command"),
            "image": container.get("image"),
            "securityContext": container.get("securityContext") or {},
        },
    }
