"""One object in the cluster: its kind, namespace and name, and its REST path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syntho_ray.errors import ClusterError
from syntho_ray.facts.kinds import KINDS, Kind, kind_at, kind_of


@dataclass(frozen=True, order=True)
class Ref:
    """One object: kind, namespace (empty when cluster-scoped) and name.

    `api_version` says where to reach it; it is not part of its identity, since a CRD that
    serves several versions shows the same object under each (empty: the kind's only one).
    """

    kind: str
    namespace: str
    name: str
    api_version: str = field(default="", compare=False)

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind} {self.name}"
        )

    @property
    def api(self) -> Kind:
        """Where it lives."""
        if not self.api_version:
            return KINDS[self.kind]
        found = kind_at(self.kind, self.api_version)
        if found is None:
            raise ClusterError(f"{self.api_version} {self.kind}: not a kind syntho-ray knows")
        return found

    def path(self, sub: str = "") -> str:
        """Its REST path."""
        return self.api.path(self.namespace or None, self.name, sub)


def ref_of(doc: dict[str, Any]) -> Ref:
    """The `Ref` of a document."""
    meta = doc.get("metadata") or {}
    kind = kind_of(doc)
    namespace = str(meta.get("namespace") or "") if kind.namespaced else ""
    return Ref(kind.kind, namespace, meta["name"], kind.api_version)
