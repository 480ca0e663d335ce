"""One clear line per failure: which object, what went wrong, what to do about it."""

from __future__ import annotations

from syntho_ray.cluster.connect import ApiError
from syntho_ray.cluster.resources import Ref
from syntho_ray.errors import ClusterError
from syntho_ray.output import CHART_KUBERAY_VERSION, KUBERAY_CRDS
from syntho_ray.rayapi import RAYCLUSTER

CRD_NAME = f"{RAYCLUSTER.plural}.{RAYCLUSTER.group}"


def crd_missing(served: list[str] | None = None) -> str:
    """Why the RayCluster cannot be applied, and how to install the CRD."""
    crds = KUBERAY_CRDS.format(version=CHART_KUBERAY_VERSION)
    what = (
        f"serves only {', '.join(served)}, not {RAYCLUSTER.version}"
        if served
        else "is not installed in the cluster"
    )
    return (
        f"the RayCluster CRD ({CRD_NAME}, {RAYCLUSTER.api_version}) {what}; install KubeRay "
        f"{CHART_KUBERAY_VERSION}'s CRDs once: `syntho-ray apply --crds DIR` with the CRD "
        f"files in DIR, or `kubectl apply --server-side -k '{crds}'`"
    )


def is_missing_type(error: ApiError) -> bool:
    """A 404 about the resource type itself (no such API), not about one object."""
    return error.status == 404 and not error.details.get("name")


def explain(error: ClusterError, ref: Ref, verb: str) -> str:
    """`ref`, what went wrong while trying to `verb` it, and what to do."""
    if not isinstance(error, ApiError):
        return f"{ref}: {error}"
    status, message = error.status, error.message
    where = f" in namespace {ref.namespace}" if ref.namespace else ""
    if status == 401:
        return (
            f"{ref}: the API server rejected the credentials (401 Unauthorized); renew the "
            "kubeconfig's token or client certificate"
        )
    if status == 403:
        return (
            f"{ref}: forbidden: {message}; ask a cluster admin to allow '{verb}' on "
            f"{ref.api.plural}{where}"
        )
    if status == 404 and error.details.get("kind") == "namespaces":
        return (
            f"{ref}: namespace {error.details.get('name') or ref.namespace} does not exist; "
            "create it or pass --create-namespace"
        )
    if status == 404 and is_missing_type(error) and ref.kind == RAYCLUSTER.kind:
        return f"{ref}: {crd_missing()}"
    if status == 404 and is_missing_type(error):
        return f"{ref}: the API server does not serve {ref.api.api_version} {ref.api.plural}"
    if status == 409 and error.reason == "Conflict" and "conflict" in message.lower():
        return (
            f"{ref}: {message}; another field manager owns these fields with other values: "
            "re-run with --force-conflicts to take them over"
        )
    if status == 422:
        return f"{ref}: rejected as invalid: {message}"
    return f"{ref}: {verb} failed: {message} (HTTP {status})"
