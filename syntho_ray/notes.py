"""What to tell the user after a render: warnings and next steps (stderr, never the license)."""

from __future__ import annotations

from typing import Any

from syntho_ray.build import license, openshift
from syntho_ray.build.naming import Release, fullname
from syntho_ray.build.resolved import head_service_name
from syntho_ray.facts import kuberay
from syntho_ray.output.kustomize import CRDS_DIR, KUBERAY_CRDS
from syntho_ray.values import checks
from syntho_ray.values.model import Values

RAY_CLIENT_PORT = 10001


def ray_address(values: Values, release: Release) -> str:
    """The `ray_address` the Syntho Core API connects to (KubeRay's `<cluster>-head-svc`, or
    the name `head.headService` gives it)."""
    host = f"{head_service_name(values)}.{release.namespace}.svc.cluster.local"
    return f"ray://{host}:{RAY_CLIENT_PORT}"


def warnings(values: Values, user: dict[str, Any]) -> list[str]:
    """Things that render but are probably not what the user wants."""
    found = checks.sizing_warnings(values) + _mutable_tags(values) + openshift.warnings(values)
    if mismatch := kuberay.tag_mismatch(values):
        found.append(mismatch)
    if license.looks_like_placeholder(values.syntho_license) and not values.manual_secret_name:
        which = "the chart's" if values.syntho_license == license.PLACEHOLDER else "a"
        found.append(
            f"SynthoLicense is still {which} placeholder, not a license key; set your license "
            "key (or manualSecretName to use an existing Secret)"
        )
    worker = user.get("worker")
    if _has_settings(worker) and (values.worker is None or values.worker.disabled):
        found.append(
            "worker: settings are given but the group stays disabled "
            "(worker.disabled is true by default); add `disabled: false` to create it"
        )
    groups = user.get("additionalWorkerGroups")
    for name, given in sorted(groups.items()) if isinstance(groups, dict) else []:
        group = (values.additional_worker_groups or {}).get(name)
        if _has_settings(given) and group is not None and group.disabled is True:
            found.append(
                f"additionalWorkerGroups.{name}: settings are given but the group "
                f"stays disabled; add `disabled: false` to create it"
            )
    return found


def _mutable_tags(values: Values) -> list[str]:
    images = {"operatorImage": values.operator_image, "image": values.image}
    return [
        f"{key}.tag {image.tag!r} moves over time; pin a version for reproducible deploys"
        for key, image in images.items()
        if image.tag.startswith("latest")
    ]


def _components(values: Values) -> list[tuple[str, str]]:
    """(subdirectory, what it holds) of the cluster-wide parts of the render."""
    if not openshift.enabled(values):
        return []
    limit = f"CRI-O pids limit {openshift.PIDS_LIMIT}; the worker pool's nodes restart"
    return [(openshift.COMPONENT_DIR, limit)]


def _has_settings(given: Any) -> bool:
    return isinstance(given, dict) and any(k != "disabled" for k in given)


def next_steps(values: Values, release: Release, directory: str | None) -> list[str]:
    """The commands to run after this render."""
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
        crds = KUBERAY_CRDS.format(version=kuberay.version_of(values))
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
        f"  kubectl -n {namespace} logs deployment/{fullname(values, release)}   # operator log",
        f"  kubectl -n {namespace} get raycluster {values.clustername}",
        f"Syntho Core API: ray_address = {ray_address(values, release)}",
    ]
