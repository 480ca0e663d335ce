"""Server-side apply of the release in apply order, then prune what it no longer renders.

Objects are applied with the field manager `syntho-ray`. Prune finds earlier
objects by the labels every rendered object carries
(`app.kubernetes.io/managed-by=syntho-ray`, `app.kubernetes.io/instance=<release>`, and on
cluster-scoped objects `syntho-ray/release-namespace=<namespace>`)
and deletes those this field manager applied that the render no longer has.
Claims (the shared data) carry no labels and the license Secret is skipped, so
neither is ever pruned.

A `Scope` says where to look: every kind in the release's namespace; the operator's
Role and RoleBinding also in each namespace `watchNamespace` adds, now (the render's)
or before (the live operator's `--watch-namespace`); and the RayCluster under the API
version of the KubeRay release the values select.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from syntho_ray.build.license import SECRET_NAME
from syntho_ray.build.naming import MANAGED_BY
from syntho_ray.cluster.connect import ApiError, Session, each
from syntho_ray.cluster.explain import explain, is_missing_type
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.errors import ClusterError, UsageError
from syntho_ray.facts.kinds import (
    APPLY_ORDER,
    KINDS,
    RAYCLUSTER_KIND,
    Kind,
    apply_rank,
    raycluster_kind,
)

FIELD_MANAGER = "syntho-ray"
APPLY_PATCH = "application/apply-patch+yaml"
MANAGED_LABEL = "app.kubernetes.io/managed-by"
INSTANCE_LABEL = "app.kubernetes.io/instance"
# On a release's cluster-scoped objects in the cluster: the namespace of the release they
# belong to (a release name is unique only within its namespace).
NAMESPACE_LABEL = "syntho-ray/release-namespace"
# Kinds prune and delete look for; claims are never pruned (they carry no labels anyway).
RELEASE_KINDS = tuple(k for k in APPLY_ORDER if k not in ("Namespace", "PersistentVolumeClaim"))
# The kinds `watchNamespace` puts in namespaces other than the release's.
WATCHED_KINDS = ("Role", "RoleBinding")
WATCH_FLAG = "--watch-namespace="


class DryRun(enum.StrEnum):
    """`--dry-run`: none, client (compare locally) or server (the API server's dry run)."""

    NONE = "none"
    CLIENT = "client"
    SERVER = "server"

    @classmethod
    def _missing_(cls, value: object) -> DryRun:
        """An unknown mode (from the command line, as text) is a usage error naming the modes."""
        raise UsageError(f"--dry-run {value}: expected one of {', '.join(cls)}")


@dataclass(frozen=True)
class Outcome:
    """What happened (or would happen) to one object."""

    ref: Ref
    action: str  # created, configured, unchanged, pruned, deleted
    dry_run: bool = False

    def __str__(self) -> str:
        return f"{self.ref}: {self.action}{' (dry run)' if self.dry_run else ''}"


class ApplyFailed(ClusterError):
    """An apply stopped part-way: the cause, then what was and was not applied."""

    def __init__(self, cause: str, done: list[Outcome], left: list[Ref]) -> None:
        applied = ", ".join(str(o.ref) for o in done) or "nothing"
        missing = ", ".join(map(str, left))
        super().__init__(
            cause,
            f"applied {len(done)} of {len(done) + len(left)} objects ({applied}); not applied: "
            f"{missing}; fix the cause and run the same command again: apply converges",
        )
        self.done = done
        self.left = left


Report = Callable[[Outcome], None]


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Where a release's objects are: what prune, diff and delete list by label."""

    release: str
    namespace: str  # the release's: every kind
    kuberay_version: str  # the RayCluster's API version is this KubeRay release's
    others: tuple[str, ...] = ()  # where watchNamespace put the operator's Role and RoleBinding
    cluster_kinds: tuple[str, ...] = ()  # cluster-scoped kinds the release may have

    def kind(self, name: str) -> Kind:
        """Where the kind `name` lives for this release."""
        return raycluster_kind(self.kuberay_version) if name == RAYCLUSTER_KIND else KINDS[name]

    def listings(self) -> list[tuple[str, str]]:
        """(kind, namespace) of every listing, in reverse apply order."""
        kinds = [k for k in reversed(RELEASE_KINDS) if self._listed(k)]
        return [
            (kind, namespace if self.kind(kind).namespaced else "")
            for kind in kinds
            for namespace in (self.namespace, *(self.others if kind in WATCHED_KINDS else ()))
        ]

    def _listed(self, kind: str) -> bool:
        """Cluster-scoped kinds only where the render has them (listing them takes rights a
        namespace's user lacks)."""
        return self.kind(kind).namespaced or kind in self.cluster_kinds


def find_scope(
    session: Session,
    documents: list[dict[str, Any]],
    release: str,
    namespace: str,
    kuberay_version: str,
    cluster: tuple[str, ...] = (),
) -> Scope:
    """The scope of a release: the namespaces its render touches and those its live operator
    watches (an earlier apply may have had other `watchNamespace`s), and the cluster-scoped
    kinds it may have (`cluster`). Call it before applying."""
    rendered = [ref_of(d).namespace for d in documents]
    before = watched_before(session, namespace, release)
    others = dict.fromkeys(n for n in (*rendered, *before) if n and n != namespace)
    return Scope(
        release=release,
        namespace=namespace,
        kuberay_version=kuberay_version,
        others=tuple(others),
        cluster_kinds=cluster,
    )


def watched_before(session: Session, namespace: str, release: str) -> list[str]:
    """The namespaces the release's live operator Deployments watch (`--watch-namespace`)."""
    ref = Ref("Deployment", namespace, "*")
    try:
        listing = session.request(
            "GET", KINDS[ref.kind].path(namespace), query={"labelSelector": selector(release)}
        )
    except ApiError as error:
        if error.status in (403, 404):
            return []  # may not be read (or no namespace yet): the render's namespaces only
        raise ClusterError(explain(error, ref, "list")) from None
    found: list[str] = []
    for deployment in listing.get("items") or []:
        pod = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
        for container in pod.get("containers") or []:
            for arg in [*(container.get("command") or []), *(container.get("args") or [])]:
                if str(arg).startswith(WATCH_FLAG):
                    found += [n for n in str(arg)[len(WATCH_FLAG) :].split(",") if n]
    return found


def selector(release: str, namespace: str | None = None) -> str:
    """The label selector of every labelled object of a release; with the release's
    `namespace`, of its cluster-scoped objects."""
    found = f"{MANAGED_LABEL}={MANAGED_BY},{INSTANCE_LABEL}={release}"
    return f"{found},{NAMESPACE_LABEL}={namespace}" if namespace else found


def apply_patch(
    session: Session, doc: dict[str, Any], *, force: bool, dry_run: bool = False
) -> dict[str, Any]:
    """One server-side apply as `syntho-ray`; the object as the server has (or would have) it."""
    query: dict[str, str | bool] = {"fieldManager": FIELD_MANAGER, "force": force}
    if dry_run:
        query["dryRun"] = "All"
    return session.request(
        "PATCH", ref_of(doc).path(), query=query, body=doc, content_type=APPLY_PATCH
    )


Live = Mapping[Ref, dict[str, Any] | None]  # objects as read before the apply (None: none)


def apply_one(
    session: Session,
    doc: dict[str, Any],
    *,
    force: bool,
    dry_run: DryRun,
    known: Live | None = None,
) -> Outcome:
    """Apply one document, or find out what applying it would do; the object as it was comes
    from `known` when that has it (read just before), else from the cluster."""
    ref = ref_of(doc)
    live = known[ref] if known is not None and ref in known else session.get(ref.path())
    if dry_run is DryRun.CLIENT:
        action = "created" if live is None else "unchanged" if contains(live, doc) else "configured"
        return Outcome(ref, action, dry_run=True)
    result = apply_patch(session, doc, force=force, dry_run=dry_run is DryRun.SERVER)
    if live is None:
        return Outcome(ref, "created", dry_run=dry_run is DryRun.SERVER)
    if dry_run is DryRun.SERVER:
        same = comparable(live) == comparable(result)
        return Outcome(ref, "unchanged" if same else "configured", dry_run=True)
    return Outcome(ref, "unchanged" if _version(live) == _version(result) else "configured")


def apply_all(
    session: Session,
    documents: list[dict[str, Any]],
    *,
    force: bool,
    dry_run: DryRun,
    report: Report,
    namespace_is_new: bool = False,
    kuberay_version: str | None = None,
    live: Live | None = None,
) -> list[Outcome]:
    """Apply every document, kind by kind in apply order (the documents of one kind at once);
    on a failure raise `ApplyFailed` saying how far it got.

    `kuberay_version` names the release whose CRDs to install when the RayCluster's is missing;
    `live` has the objects as read before (see `apply_one`).
    """
    done: list[Outcome] = []
    ranks = [list(g) for _, g in itertools.groupby(documents, lambda d: apply_rank(d["kind"]))]

    def attempt(doc: dict[str, Any]) -> Outcome | ClusterError:
        if namespace_is_new and dry_run is not DryRun.NONE:
            return Outcome(ref_of(doc), "created", dry_run=True)  # nothing to compare with
        try:
            return apply_one(session, doc, force=force, dry_run=dry_run, known=live)
        except ClusterError as failure:
            return failure

    for index, group in enumerate(ranks):
        results = each(attempt, group)
        for outcome in results:
            if isinstance(outcome, Outcome):
                report(outcome)
                done.append(outcome)
        failed = [(d, r) for d, r in zip(group, results, strict=True) if not isinstance(r, Outcome)]
        if failed:
            later = [ref_of(d) for g in ranks[index + 1 :] for d in g]
            doc, error = failed[0]
            cause = explain(error, ref_of(doc), "patch", kuberay_version)
            raise ApplyFailed(cause, done, [ref_of(d) for d, _ in failed] + later) from None
    return done


def ensure_namespace(
    session: Session, namespace: str, *, dry_run: DryRun, reader: Session | None = None
) -> Outcome | None:
    """Create the namespace (server-side apply) when it does not exist (as `reader` reads)."""
    ref = Ref("Namespace", "", namespace)
    if (reader or session).get(ref.path()) is not None:
        return None
    if dry_run is DryRun.NONE:
        doc = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        try:
            apply_patch(session, doc, force=False)
        except ClusterError as error:
            raise ClusterError(explain(error, ref, "create")) from None
    return Outcome(ref, "created", dry_run=dry_run is not DryRun.NONE)


def release_objects(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Every labelled object of the release in its scope, in reverse apply order (the
    listings all at once)."""
    listed = each(lambda where: _listing(session, scope, *where), scope.listings())
    return [item for items in listed for item in items]


def _listing(session: Session, scope: Scope, kind: str, namespace: str) -> list[dict[str, Any]]:
    """The release's objects of one kind in one namespace (none when they cannot be there)."""
    api = scope.kind(kind)
    home = None if api.namespaced else scope.namespace  # not another namespace's release
    try:
        listing = session.request(
            "GET", api.path(namespace), query={"labelSelector": selector(scope.release, home)}
        )
    except ApiError as error:
        if kind == RAYCLUSTER_KIND and is_missing_type(error):
            return []  # the CRD does not serve this version, so no RayCluster under it
        if not api.namespaced and error.status == 403:
            return []  # a user of one namespace made no cluster-wide objects either
        ref = Ref(kind, namespace, "*", api.api_version)
        raise ClusterError(explain(error, ref, "list", scope.kuberay_version)) from None
    found = []
    for item in listing.get("items") or []:
        item.setdefault("kind", kind)
        item["apiVersion"] = api.api_version  # the version it was listed under
        if not (item.get("metadata") or {}).get("ownerReferences"):
            found.append(item)
    return found


def applied_by_us(obj: dict[str, Any]) -> bool:
    """Did syntho-ray's field manager apply this object?"""
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    return any(e.get("manager") == FIELD_MANAGER and e.get("operation") == "Apply" for e in entries)


def prunable(session: Session, scope: Scope, keep: Iterable[Ref]) -> list[Ref]:
    """Objects an earlier apply of the release made that the render no longer has."""
    kept = set(keep)
    found = []
    for obj in release_objects(session, scope):
        ref = ref_of(obj)
        is_data = ref.kind == "PersistentVolumeClaim" or (
            ref.kind == "Secret" and ref.name == SECRET_NAME
        )
        if ref not in kept and not is_data and applied_by_us(obj):
            found.append(ref)
    return found


def delete(session: Session, ref: Ref, *, dry_run: DryRun, uid: str | None = None) -> bool:
    """Delete one object (background propagation; only the one of `uid`, when given); False
    when it was already gone."""
    if dry_run is DryRun.CLIENT:
        return session.get(ref.path()) is not None
    query: dict[str, str] = {"propagationPolicy": "Background"}
    if dry_run is DryRun.SERVER:
        query["dryRun"] = "All"
    body = {"preconditions": {"uid": uid}} if uid else None
    try:
        session.request("DELETE", ref.path(), query=query, body=body)
    except ApiError as error:
        if error.status == 404:
            return False
        raise ClusterError(explain(error, ref, "delete")) from None
    return True


def prune(
    session: Session, scope: Scope, keep: Iterable[Ref], *, dry_run: DryRun, report: Report
) -> list[Outcome]:
    """Delete what `prunable` finds."""
    done = []
    for ref in prunable(session, scope, keep):
        if delete(session, ref, dry_run=dry_run):
            outcome = Outcome(ref, "pruned", dry_run=dry_run is not DryRun.NONE)
            report(outcome)
            done.append(outcome)
    return done


def contains(live: Any, wanted: Any) -> bool:
    """Does `live` hold every field of `wanted` with the same value? (client dry run)"""
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(
            k in live and contains(live[k], v) for k, v in wanted.items()
        )
    if isinstance(wanted, list):
        return (
            isinstance(live, list)
            and len(live) == len(wanted)
            and all(contains(a, b) for a, b in zip(live, wanted, strict=True))
        )
    return bool(live == wanted or str(live) == str(wanted))


_SERVER_META = ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation")


def comparable(obj: dict[str, Any]) -> dict[str, Any]:
    """The object without what the server owns: status and metadata bookkeeping."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _SERVER_META}
    meta.pop("selfLink", None)
    annotations = {
        k: v
        for k, v in (meta.get("annotations") or {}).items()
        if k != "deployment.kubernetes.io/revision"
    }
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    body = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
    return {"metadata": meta, **body}


def _version(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("resourceVersion") or "")


# --- CustomResourceDefinitions from a local directory (--crds DIR) ---


def established(crd: dict[str, Any] | None) -> bool:
    """Does the CRD report the condition Established=True?"""
    conditions = ((crd or {}).get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)
