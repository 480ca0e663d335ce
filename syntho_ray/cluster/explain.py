"""One clear line per failure: which object, what went wrong, what to do about it."""

from __future__ import annotations

from collections.abc import Sequence

from syntho_ray.cluster.connect import ApiError
from syntho_ray.cluster.refs import Ref
from syntho_ray.errors import ClusterError
from syntho_ray.facts.kinds import RAYCLUSTER_KIND, raycluster_kind
from syntho_ray.output.kustomize import KUBERAY_CRDS


def crd_missing(kuberay_version: str, served: Sequence[str] | None = None) -> str:
    """Why the RayCluster of KubeRay `kuberay_version` cannot be applied, and how to install
    that release's CRDs; `served`: the versions the cluster's CRD serves (empty: no CRD;
    None: not known)."""
    kind = raycluster_kind(kuberay_version)
    version = kind.version
    served = None if served is None else [v for v in served if v != version]  # (discovery lags)
    if served is None:
        what = f"is not installed in the cluster or does not serve {version}"
    elif served:
        what = f"serves only {', '.join(served)}, not {version}"
    else:
        what = "is not installed in the cluster"
    crds = KUBERAY_CRDS.format(version=kuberay_version)
    return (
        f"the RayCluster CRD ({kind.plural}.{kind.group}, {kind.api_version}) {what}; install "
        f"KubeRay {kuberay_version}'s CRDs once: `syntho-ray apply --crds DIR` with the CRD "
        f"files in DIR, or `kubectl apply --server-side -k '{crds}'`"
    )


def is_missing_type(error: ApiError) -> bool:
    """A 404 about the resource type itself (no such API), not about one object."""
    return error.status == 404 and not error.details.get("name")


def explain(error: ClusterError, ref: Ref, verb: str, kuberay_version: str | None = None) -> str:
    """`ref`, what went wrong while trying to `verb` it, and what to do (for a RayCluster
    whose type is not served: the CRDs of `kuberay_version` to install, when given)."""
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
    if status == 404 and is_missing_type(error) and ref.kind == RAYCLUSTER_KIND and kuberay_version:
        return f"{ref}: {crd_missing(kuberay_version)}"
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
