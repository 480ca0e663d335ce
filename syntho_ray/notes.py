"""What to tell the user after a render: warnings and next steps (stderr, never the license)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from syntho_ray.build import license, openshift
from syntho_ray.build.naming import Release, cluster_name, head_service_name, operator_name
from syntho_ray.facts import kuberay
from syntho_ray.facts import ray as ray_facts
from syntho_ray.facts.charts import WORKFLOWS_PATH
from syntho_ray.output.kustomize import CRDS_DIR, KUBERAY_CRDS
from syntho_ray.resolve import Resolved, resolve
from syntho_ray.resolve.platform import on_openshift
from syntho_ray.values import checks
from syntho_ray.values.layouts import AnyValues
from syntho_ray.values.model import Values
from syntho_ray.values.raystart import checked_release
from syntho_ray.values.shared import ImageValues

if TYPE_CHECKING:
    from syntho_ray.values.model114 import Values114

RAY_CLIENT_PORT = 10001
_RELEASE_TAG = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")  # 1.2, v1.2.2-rc.1


def ray_address(resolved: Resolved, release: Release) -> str:
    """The `ray_address` the Syntho Core API connects to (the head Service's client port)."""
    host = f"{head_service_name(resolved, release)}.{release.namespace}.svc.cluster.local"
    return f"ray://{host}:{RAY_CLIENT_PORT}"


def warnings(values: AnyValues, user: dict[str, Any]) -> list[str]:
    """Things that render but are probably not what the user wants."""
    if not isinstance(values, Values):
        return _warnings_114(values, user)
    found = checks.sizing_warnings(values) + _mutable_tags(values) + openshift.warnings(values)
    if mismatch := _tag_mismatch(values):
        found.append(mismatch)
    found += _placeholder(values.syntho_license, values.manual_secret_name, license.PLACEHOLDER)
    found += _disabled_with_settings(values, user, "")
    return found


def _tag_mismatch(values: Values) -> str | None:
    """A warning when the operator image's tag names another KubeRay minor release."""
    tag = values.operator_image.tag
    match = _RELEASE_TAG.match(tag)
    version = values.kuberay_release
    if match is None or (int(match[1]), int(match[2])) == kuberay.parse(version)[:2]:
        return None
    return (
        f"operatorImage.tag {tag} looks like KubeRay {match[1]}.{match[2]}, but the render is "
        f"for KubeRay {version} (kuberay.version): the operator flags and CRDs would not match "
        "the operator; set kuberay.version to the release the image runs"
    )


def _placeholder(text: str, manual: str | None, chart: str) -> list[str]:
    if not license.looks_like_placeholder(text) or manual:
        return []
    which = "the chart's" if text == chart else "a"
    return [
        f"SynthoLicense is still {which} placeholder, not a license key; set your license "
        "key (or manualSecretName to use an existing Secret)"
    ]


def _warnings_114(values: Values114, user: dict[str, Any]) -> list[str]:
    images = {
        "kuberay-operator.image": values.operator.image,
        "ray-cluster.image": values.cluster.image,
    }
    from syntho_ray.values import checks114

    found = checks114.warnings(values) + _latest(images)
    found += _placeholder(values.syntho_license, values.manual_secret_name, license.PLACEHOLDER_114)
    given = user.get("ray-cluster")
    found += _disabled_with_settings(
        values.cluster, given if isinstance(given, dict) else {}, "ray-cluster."
    )
    return found


def _disabled_with_settings(cluster: Any, user: dict[str, Any], prefix: str) -> list[str]:
    """`worker:` or an extra group given settings while it stays disabled."""
    found = []
    if _has_settings(user.get("worker")) and (cluster.worker is None or cluster.worker.disabled):
        found.append(
            f"{prefix}worker: settings are given but the group stays disabled "
            f"({prefix}worker.disabled is true by default); add `disabled: false` to create it"
        )
    groups = user.get("additionalWorkerGroups")
    for name, given in sorted(groups.items()) if isinstance(groups, dict) else []:
        group = (cluster.additional_worker_groups or {}).get(name)
        if _has_settings(given) and group is not None and group.disabled is True:
            found.append(
                f"{prefix}additionalWorkerGroups.{name}: settings are given but the group "
                f"stays disabled; add `disabled: false` to create it"
            )
    return found


def ray_release(values: AnyValues) -> list[str]:
    """Which Ray release the start parameters were checked against, and what that changed."""
    chart113 = isinstance(values, Values)
    head = values.head if isinstance(values, Values) else values.cluster.head
    key = "head.rayVersion" if chart113 else "ray-cluster.head.rayVersion"
    version = head.ray_version
    release = checked_release(version)
    if release is None:
        return [f"Ray: {key} {version!r} is not in syntho-ray's table; not checked."]
    if not version:
        said = f"Ray: start parameters checked against Ray {release.version} as warnings only"
        return [f"{said}; set yours with {key} (--set {key}=X.Y.Z)."]
    how = key if ray_facts.find(version) is release else f"the nearest to {key} {version!r}"
    lines = [f"Ray: start parameters checked against Ray {release.version} ({how})."]
    if chart113 and "storage" not in release.options:
        lines.append(
            f"Ray: the chart's `storage: {WORKFLOWS_PATH}` start parameter is left out: "
            f"`ray start` has no --storage after Ray {release.removed.get('storage', '?')}."
        )
    return lines


def _mutable_tags(values: Values) -> list[str]:
    return _latest({"operatorImage": values.operator_image, "image": values.image})


def _latest(images: dict[str, ImageValues]) -> list[str]:
    return [
        f"{key}.tag {image.tag!r} moves over time; pin a version for reproducible deploys"
        for key, image in images.items()
        if image.tag.startswith("latest")
    ]


def _components(values: AnyValues) -> list[tuple[str, str]]:
    """(subdirectory, what it holds) of the cluster-wide parts of the render."""
    if not isinstance(values, Values) or not on_openshift(values):
        return []
    limit = f"CRI-O pids limit {openshift.PIDS_LIMIT}; the worker pool's nodes restart"
    return [(openshift.COMPONENT_DIR, limit)]


def _has_settings(given: Any) -> bool:
    return isinstance(given, dict) and any(k != "disabled" for k in given)


def next_steps(values: AnyValues, release: Release, directory: str | None) -> list[str]:
    """The commands to run after this render."""
    resolved = resolve(values)
    namespace = release.namespace
    if directory:
        apply = [
            f"kubectl apply --server-side -k {directory}/{CRDS_DIR}   # once: KubeRay CRDs",
            f"kubectl apply -k {directory}",
        ]
        apply += [
            f"kubectl apply -k {directory}/{sub}   # cluster admin, once: {what}"
            for sub, what in _components(values)
        ]
    else:
        crds = KUBERAY_CRDS.format(version=resolved.kuberay)
        apply = [
            f"kubectl apply --server-side -k '{crds}'   # once: KubeRay CRDs",
            "syntho-ray render <same options> | kubectl apply -f -",
        ]
        apply += [
            f"syntho-ray render <same options> -o DIR   # then the cluster admin, once: "
            f"kubectl apply -k DIR/{sub} ({what})"
            for sub, what in _components(values)
        ]
    return [
        "Next steps:",
        f"  kubectl create namespace {namespace}   # if it does not exist yet",
        *(f"  {line}" for line in apply),
        f"  kubectl -n {namespace} logs deployment/{operator_name(resolved, release)}"
        "   # operator log",
        f"  kubectl -n {namespace} get raycluster {cluster_name(resolved, release)}",
        f"Syntho Core API: ray_address = {ray_address(resolved, release)}",
    ]
