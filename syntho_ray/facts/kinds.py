"""Where each kind syntho-ray touches lives in the API, and how objects are named.

The built-in kinds have one API version each (`KINDS`). The RayCluster's depends on the
KubeRay release the values select (`ray.io/v1alpha1` before 1.0.0, `ray.io/v1` from it):
`raycluster(version)` gives it, and a `Ref` carries the API version it was found under.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.errors import ClusterError
from syntho_ray.facts import kuberay


@dataclass(frozen=True)
class Kind:
    """A resource type: its apiVersion, kind, plural and scope."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def group(self) -> str:
        """The API group; empty for the core group."""
        return self.api_version.rpartition("/")[0]

    @property
    def version(self) -> str:
        """The version within the group: `v1` of `ray.io/v1`."""
        return self.api_version.rpartition("/")[2]

    def path(self, namespace: str | None = None, name: str | None = None, sub: str = "") -> str:
        """The REST path of the collection, or of one object (and a subresource)."""
        base = f"/apis/{self.api_version}" if self.group else f"/api/{self.api_version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name:
            base += f"/{name}"
        return f"{base}/{sub}" if sub else base


_ALL = (
    Kind("v1", "Namespace", "namespaces", namespaced=False),
    Kind("v1", "ServiceAccount", "serviceaccounts"),
    Kind("v1", "Secret", "secrets"),
    Kind("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    Kind("v1", "PersistentVolume", "persistentvolumes", namespaced=False),
    Kind("v1", "Service", "services"),
    Kind("v1", "Pod", "pods"),
    Kind("v1", "Event", "events"),
    Kind("rbac.authorization.k8s.io/v1", "Role", "roles"),
    Kind("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings"),
    Kind("apps/v1", "Deployment", "deployments"),
    Kind("storage.k8s.io/v1", "StorageClass", "storageclasses", namespaced=False),
    Kind(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        namespaced=False,
    ),
)
KINDS: dict[str, Kind] = {k.kind: k for k in _ALL}  # the kinds with one API version


def raycluster(kuberay_version: str) -> Kind:
    """The RayCluster kind the KubeRay release renders (its CRD must serve this version)."""
    found = kuberay.raycluster_kind(kuberay_version)
    return Kind(found.api_version, found.kind, found.plural)


# Every RayCluster version some supported release renders, by apiVersion.
RAYCLUSTERS: dict[str, Kind] = {
    k.api_version: k for k in (raycluster(version) for version in kuberay.RELEASES)
}
RAYCLUSTER_KIND = raycluster(kuberay.CHART_RELEASE).kind  # the same in every release


def kind_at(kind: str, api_version: str) -> Kind | None:
    """The `Kind` of `kind` under `api_version`, or None when syntho-ray does not know it."""
    found = RAYCLUSTERS.get(api_version) if kind == RAYCLUSTER_KIND else KINDS.get(kind)
    return found if found is not None and found.api_version == api_version else None


def kind_of(doc: dict[str, Any]) -> Kind:
    """The `Kind` of a document; a custom resource definition's own kind for CRD files."""
    found = kind_at(str(doc.get("kind")), str(doc.get("apiVersion")))
    if found is None:
        raise ClusterError(
            f"{doc.get('apiVersion')} {doc.get('kind')}: not a kind syntho-ray applies"
        )
    return found
