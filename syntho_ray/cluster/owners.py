"""Whose an object is: one release never adopts, prunes or deletes another's objects.

An object labelled `app.kubernetes.io/managed-by: syntho-ray` with another
`app.kubernetes.io/instance` belongs to that release; one labelled `managed-by: Helm`, or
carrying Helm's `meta.helm.sh/release-name` annotation, was made by Helm. Neither is applied
over without `--take-ownership` (`syntho-ray migrate` is the way to take a Helm release over),
and neither is ever deleted by another release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.build.naming import MANAGED_BY
from syntho_ray.cluster.apply import INSTANCE_LABEL, MANAGED_LABEL
from syntho_ray.cluster.connect import ApiError, Session
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.errors import ClusterError

HELM_RELEASE = "meta.helm.sh/release-name"


@dataclass(frozen=True)
class Foreign:
    """An object of someone else: who, and whether that is Helm."""

    ref: Ref
    owner: str  # "release ray-a", "Helm (release old-ray)"
    helm_release: str | None = None

    def refusal(self) -> str:
        """Why the apply stops, and the two ways on."""
        if self.helm_release is not None:
            return (
                f"{self.ref} was made by {self.owner}; take a Helm release over with "
                f"`syntho-ray migrate --from-helm-release {self.helm_release}`, or pass "
                "--take-ownership to apply over it"
            )
        return (
            f"{self.ref} belongs to {self.owner}; a release never takes another's objects: "
            "give this release other names (manualSecretName, for the license Secret), or "
            "pass --take-ownership to take it"
        )


def labelled(document: dict[str, Any], release: str) -> dict[str, Any]:
    """`document` with the release's ownership labels, where the render gives it none (the
    chart's claims have no labels): in the cluster every object says whose it is."""
    meta = document.get("metadata") or {}
    labels = meta.get("labels") or {}
    if MANAGED_LABEL in labels:
        return document
    owned = {MANAGED_LABEL: MANAGED_BY, INSTANCE_LABEL: release}
    return document | {"metadata": meta | {"labels": labels | owned}}


def owner_of(live: dict[str, Any], ref: Ref, release: str) -> Foreign | None:
    """Someone else than `release` who owns `live`, if anyone does."""
    meta = live.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    helm_release = annotations.get(HELM_RELEASE)
    if labels.get(MANAGED_LABEL) == "Helm" or helm_release is not None:
        name = str(helm_release or "?")
        return Foreign(ref, f"Helm (release {name})", name)
    instance = labels.get(INSTANCE_LABEL)
    if labels.get(MANAGED_LABEL) == MANAGED_BY and instance not in (None, release):
        return Foreign(ref, f"release {instance}")
    return None


def foreign_objects(
    session: Session, documents: list[dict[str, Any]], release: str
) -> list[Foreign]:
    """The rendered objects that exist and belong to someone else."""
    found = []
    for doc in documents:
        ref = ref_of(doc)
        try:
            live = session.get(ref.path())
        except ApiError as error:
            if error.status != 404:  # a type not served yet (a CRD --crds installs): no objects
                raise
            continue
        owner = owner_of(live, ref, release) if live is not None else None
        if owner is not None:
            found.append(owner)
    return found


def refuse_foreign(session: Session, documents: list[dict[str, Any]], release: str) -> None:
    """Stop, naming every rendered object that belongs to someone else."""
    found = foreign_objects(session, documents, release)
    if found:
        raise ClusterError(*(f.refusal() for f in found))
