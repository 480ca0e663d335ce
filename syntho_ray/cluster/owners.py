"""Whose an object is: one release never adopts, prunes or deletes another's objects.

An object labelled `app.kubernetes.io/managed-by: syntho-ray` with another
`app.kubernetes.io/instance` belongs to that release; one labelled `managed-by: Helm`, or
carrying Helm's `meta.helm.sh/release-name` annotation, was made by Helm. Neither is applied
over without `--take-ownership` (`syntho-ray migrate` is the way to take a Helm release over),
and neither is ever deleted by another release.

A release name is unique only within a namespace, so a cluster-scoped object (chart 1.14's
ClusterRoles) also carries, in the cluster, the namespace of its release
(`syntho-ray/release-namespace`); one of a release of the same name in another namespace, or
one without it (applied by `kubectl apply -k` of a render), is someone else's too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.build.naming import MANAGED_BY, Release
from syntho_ray.cluster.apply import INSTANCE_LABEL, MANAGED_LABEL, NAMESPACE_LABEL
from syntho_ray.cluster.connect import ApiError, Session, each
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.errors import ClusterError

HELM_RELEASE = "meta.helm.sh/release-name"


@dataclass(frozen=True)
class Foreign:
    """An object of someone else: who, and whether that is Helm."""

    ref: Ref
    owner: str  # "release ray-a", "Helm (release old-ray)", "release ray-a in namespace a"
    helm_release: str | None = None
    unmarked: bool = False  # cluster-scoped, without the namespace of its release

    def refusal(self) -> str:
        """Why the apply stops, and the two ways on."""
        if self.helm_release is not None:
            return (
                f"{self.ref} was made by {self.owner}; take a Helm release over with "
                f"`syntho-ray migrate --from-helm-release {self.helm_release}`, or pass "
                "--take-ownership to apply over it"
            )
        if self.unmarked:
            return (
                f"{self.ref} carries the labels of {self.owner} but not its namespace "
                f"({NAMESPACE_LABEL}), as `kubectl apply -k` of a render leaves it: if it is "
                "this release's, pass --take-ownership once"
            )
        if not self.ref.namespace:
            return (
                f"{self.ref} belongs to {self.owner}; a cluster-scoped object has one name in "
                "the whole cluster, and chart 1.14 names its ClusterRoles the same in every "
                "release (kuberay-operator.fullnameOverride, rayjob-* and rayservice-*): keep "
                "one release with kuberay-operator.singleNamespaceInstall: false per cluster "
                "(this one can be namespaced: singleNamespaceInstall: true), or pass "
                "--take-ownership to take it"
            )
        return (
            f"{self.ref} belongs to {self.owner}; a release never takes another's objects: "
            "give this release other names (manualSecretName, for the license Secret), or "
            "pass --take-ownership to take it"
        )


def labelled(document: dict[str, Any], release: Release) -> dict[str, Any]:
    """`document` with the release's ownership labels, where the render gives it none (the
    chart's claims have no labels), and a cluster-scoped one with the release's namespace:
    in the cluster every object says whose it is."""
    meta = document.get("metadata") or {}
    labels = meta.get("labels") or {}
    owned = (
        {} if MANAGED_LABEL in labels else {MANAGED_LABEL: MANAGED_BY, INSTANCE_LABEL: release.name}
    )
    if not ref_of(document).namespace:
        owned[NAMESPACE_LABEL] = release.namespace
    if not owned:
        return document
    return document | {"metadata": meta | {"labels": labels | owned}}


def owner_of(live: dict[str, Any], ref: Ref, release: Release) -> Foreign | None:
    """Someone else than `release` who owns `live`, if anyone does."""
    meta = live.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    helm_release = annotations.get(HELM_RELEASE)
    if labels.get(MANAGED_LABEL) == "Helm" or helm_release is not None:
        name = str(helm_release or "?")
        return Foreign(ref, f"Helm (release {name})", name)
    if labels.get(MANAGED_LABEL) != MANAGED_BY:
        return None
    instance = labels.get(INSTANCE_LABEL) or release.name
    if ref.namespace:  # a namespaced object: the release name tells
        return None if instance == release.name else Foreign(ref, f"release {instance}")
    home = labels.get(NAMESPACE_LABEL)
    if (instance, home) == (release.name, release.namespace):
        return None
    if home is None:
        return Foreign(ref, f"release {instance} of an unknown namespace", unmarked=True)
    return Foreign(ref, f"release {instance} in namespace {home}")


Live = dict[Ref, dict[str, Any] | None]  # the live object of each rendered one (None: none)


def live_objects(session: Session, documents: list[dict[str, Any]]) -> Live:
    """The live object of each rendered document, read all at once, in the documents' order;
    one whose type is not served yet (a CRD that --crds installs) is left out."""
    refs = [ref_of(doc) for doc in documents]
    answers = each(lambda ref: _live(session, ref), refs)
    return {ref: live for ref, live in zip(refs, answers, strict=True) if live is not _UNSERVED}


_UNSERVED: dict[str, Any] = {}


def _live(session: Session, ref: Ref) -> dict[str, Any] | None:
    try:
        return session.get(ref.path())
    except ApiError as error:
        if error.status != 404:
            raise
        return _UNSERVED  # a type not served yet: no objects


def foreign_objects(live: Live, release: Release) -> list[Foreign]:
    """The live objects that belong to someone else than `release`."""
    found = []
    for ref, obj in live.items():
        owner = owner_of(obj, ref, release) if obj is not None else None
        if owner is not None:
            found.append(owner)
    return found


def refuse_foreign(
    session: Session, documents: list[dict[str, Any]], release: Release, *, helm: bool = True
) -> Live:
    """Stop, naming every rendered object that belongs to someone else (without `helm`: to
    another syntho-ray release); else the live objects, as `live_objects` reads them."""
    live = live_objects(session, documents)
    found = [f for f in foreign_objects(live, release) if helm or f.helm_release is None]
    if found:
        raise ClusterError(*(f.refusal() for f in found))
    return live
