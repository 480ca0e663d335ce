"""Every kind syntho-ray renders or reads: its group, version, plural, scope and apply rank.

The one registry that render, apply, prune, delete and status read. The built-in kinds have
one API version each (`KINDS`); the RayCluster's depends on the KubeRay release the values
select (`ray.io/v1alpha1` before 1.0.0, `ray.io/v1` from it): `raycluster_kind(version)`.
Kinds sort in apply order (`apply_rank`), and a kind not in the table after all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.errors import ClusterError
from syntho_ray.facts import kuberay


@dataclass(frozen=True)
class Kind:
    """A resource type: its apiVersion, kind, plural, scope and apply rank."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool = True
    rank: int | None = None  # where an apply creates it; None: we read it, never render it

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


RAYCLUSTER_GROUP = "ray.io"
RAYCLUSTER_KIND = "RayCluster"
RAYCLUSTER_RANK = 10  # last: its pods mount the claims and read the Secret

_ALL = (
    Kind("v1", "Namespace", "namespaces", namespaced=False, rank=0),
    Kind("v1", "ServiceAccount", "serviceaccounts", rank=1),
    Kind("v1", "Secret", "secrets", rank=2),
    Kind("v1", "PersistentVolumeClaim", "persistentvolumeclaims", rank=3),
    Kind("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", namespaced=False, rank=4),
    Kind(
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        namespaced=False,
        rank=5,
    ),
    Kind("rbac.authorization.k8s.io/v1", "Role", "roles", rank=6),
    Kind("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", rank=7),
    Kind("v1", "Service", "services", rank=8),
    Kind("apps/v1", "Deployment", "deployments", rank=9),
    Kind("v1", "PersistentVolume", "persistentvolumes", namespaced=False),
    Kind("v1", "Pod", "pods"),
    Kind("v1", "Event", "events"),
    Kind("storage.k8s.io/v1", "StorageClass", "storageclasses", namespaced=False),
    Kind(
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        namespaced=False,
    ),
)
KINDS: dict[str, Kind] = {k.kind: k for k in _ALL}  # the kinds with one API version


def raycluster_kind(kuberay_version: str) -> Kind:
    """The RayCluster kind the KubeRay release renders (its CRD must serve this version)."""
    version = "v1" if kuberay.RAYCLUSTER_V1.holds_for(kuberay_version) else "v1alpha1"
    return Kind(
        f"{RAYCLUSTER_GROUP}/{version}", RAYCLUSTER_KIND, "rayclusters", rank=RAYCLUSTER_RANK
    )


# Every RayCluster version some supported release renders, by apiVersion.
RAYCLUSTERS: dict[str, Kind] = {
    k.api_version: k for k in (raycluster_kind(version) for version in kuberay.RELEASES)
}
_RENDERED = sorted(
    (k for k in (*_ALL, raycluster_kind(kuberay.CHART_RELEASE)) if k.rank is not None),
    key=lambda k: k.rank or 0,
)
APPLY_ORDER: tuple[str, ...] = tuple(k.kind for k in _RENDERED)  # a delete goes the other way
_RANKS: dict[str, int] = {kind: rank for rank, kind in enumerate(APPLY_ORDER)}


def apply_rank(kind: str) -> int:
    """Where `kind` comes in an apply (a delete goes the other way); unknown kinds come last."""
    return _RANKS.get(kind, len(_RANKS))


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
