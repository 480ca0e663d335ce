"""Where each kind syntho-ray touches lives in the API, and how objects are named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.errors import ClusterError
from syntho_ray.rayapi import RAYCLUSTER


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
    Kind(RAYCLUSTER.api_version, RAYCLUSTER.kind, RAYCLUSTER.plural),
)
KINDS: dict[str, Kind] = {k.kind: k for k in _ALL}


def kind_of(doc: dict[str, Any]) -> Kind:
    """The `Kind` of a document; a custom resource definition's own kind for CRD files."""
    found = KINDS.get(str(doc.get("kind")))
    if found is None or found.api_version != doc.get("apiVersion"):
        raise ClusterError(
            f"{doc.get('apiVersion')} {doc.get('kind')}: not a kind syntho-ray applies"
        )
    return found


@dataclass(frozen=True, order=True)
class Ref:
    """One object: kind, namespace (empty when cluster-scoped) and name."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind} {self.name}"
        )

    @property
    def api(self) -> Kind:
        """Where it lives."""
        return KINDS[self.kind]

    def path(self, sub: str = "") -> str:
        """Its REST path."""
        return self.api.path(self.namespace or None, self.name, sub)


def ref_of(doc: dict[str, Any]) -> Ref:
    """The `Ref` of a document."""
    meta = doc.get("metadata") or {}
    kind = kind_of(doc)
    return Ref(kind.kind, str(meta.get("namespace") or "") if kind.namespaced else "", meta["name"])
