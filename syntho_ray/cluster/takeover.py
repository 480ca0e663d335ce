"""Taking a Helm release's objects over: the plan, object by object, and carrying it out.

Each rendered object is created when it does not exist, adopted when Helm made it (Helm's
fields move to syntho-ray's field manager, then syntho-ray applies: whatever Helm set and
syntho-ray does not render goes), updated when it exists without Helm, or replaced when a
field the API server does not let change in place differs (a Deployment's `spec.selector`,
a binding's `roleRef`): deleted, gone, then created. Objects Helm rendered for this release
that syntho-ray does not render are removed, except claims and Secrets (data), which are left
with a note. Nothing changes before every object has been checked: objects of another release
stop the take-over, so does a claim that would have to be replaced, and every apply is first
tried as a server-side dry run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from syntho_ray.build.naming import MANAGED_BY
from syntho_ray.cluster.apply import (
    FIELD_MANAGER,
    INSTANCE_LABEL,
    MANAGED_LABEL,
    NAMESPACE_LABEL,
    DryRun,
    apply_patch,
    delete,
)
from syntho_ray.cluster.connect import ApiError, Session
from syntho_ray.cluster.explain import explain
from syntho_ray.cluster.helm_migrate import HelmRelease
from syntho_ray.cluster.ownership import HELM_MANAGERS, managers, take_over_fields
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.errors import ClusterError

RELEASE_NAME = "meta.helm.sh/release-name"
RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
# Fields the API server refuses to change in place, per kind (a path of keys from the top).
IMMUTABLE: dict[str, tuple[tuple[str, ...], ...]] = {
    "Deployment": (("spec", "selector"),),
    "RoleBinding": (("roleRef",),),
    "ClusterRoleBinding": (("roleRef",),),
    "PersistentVolumeClaim": tuple(
        ("spec", key) for key in ("accessModes", "storageClassName", "selector", "volumeMode")
    ),
}
KEPT_KINDS = ("PersistentVolumeClaim", "Secret")  # data: never removed or replaced
GONE_TIMEOUT = 120.0  # seconds a replaced object may take to be deleted
GONE_POLL = 0.5


@dataclass(frozen=True)
class Step:
    """What the take-over does to one object."""

    action: str  # adopt, update, replace, create, remove, leave
    ref: Ref
    why: str = ""
    doc: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    live: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.action}: {self.ref}" + (f" ({self.why})" if self.why else "")


@dataclass(frozen=True)
class Plan:
    """Every object's step in apply order, then the Helm release records to remove."""

    steps: list[Step]
    records: list[str]
    namespace: str

    def lines(self) -> list[str]:
        """The plan, one line per object."""
        return [str(s) for s in self.steps] + [
            f"remove Helm record: Secret {self.namespace}/{name}" for name in self.records
        ]


def path_text(path: tuple[str, ...]) -> str:
    """`spec.selector`."""
    return ".".join(path)


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def immutable_changes(kind: str, live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """The fields the API server does not let change in place that `wanted` changes."""
    return [
        path_text(path)
        for path in IMMUTABLE.get(kind, ())
        if _at(wanted, path) is not None and _at(wanted, path) != _at(live, path)
    ]


def helm_made(live: dict[str, Any]) -> bool:
    """Did Helm write this object (its field manager or its release annotations)?"""
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    return bool(HELM_MANAGERS & managers(live)) or RELEASE_NAME in annotations


def other_release(live: dict[str, Any], helm: HelmRelease) -> str | None:
    """The release other than `helm` this object belongs to (Helm's or syntho-ray's), if any."""
    meta = live.get("metadata") or {}
    annotations, labels = meta.get("annotations") or {}, meta.get("labels") or {}
    name = annotations.get(RELEASE_NAME)
    namespace = annotations.get(RELEASE_NAMESPACE, helm.namespace)
    if name is not None and (name, namespace) != (helm.name, helm.namespace):
        return f"Helm release {namespace}/{name}"
    instance = labels.get(INSTANCE_LABEL, helm.name)
    home = labels.get(NAMESPACE_LABEL, helm.namespace)  # only on cluster-scoped objects
    if labels.get(MANAGED_LABEL) == MANAGED_BY and (instance, home) != (helm.name, helm.namespace):
        where = "" if "namespace" in meta else f"{home}/"  # a cluster-scoped object's release
        return f"syntho-ray release {where}{instance}"
    return None


def _step(doc: dict[str, Any], live: dict[str, Any] | None, helm: HelmRelease) -> Step:
    ref = ref_of(doc)
    if live is None:
        return Step("create", ref, doc=doc)
    if owner := other_release(live, helm):
        raise ClusterError(
            f"{ref}: belongs to {owner}, not to Helm release {helm.namespace}/{helm.name}; "
            "nothing was changed"
        )
    if changed := immutable_changes(ref.kind, live, doc):
        why = f"{', '.join(changed)} cannot change in place"
        if ref.kind in KEPT_KINDS:
            raise ClusterError(
                f"{ref}: {why}, and replacing it would delete its data; make the values keep "
                "the claim as it is (or move the data yourself); nothing was changed"
            )
        return Step("replace", ref, why, doc, live)
    return Step("adopt" if helm_made(live) else "update", ref, doc=doc, live=live)


def _leftover(ref: Ref, live: dict[str, Any] | None, helm: HelmRelease) -> Step | None:
    if live is None:
        return None
    if ref.kind in KEPT_KINDS:
        return Step("leave", ref, "Helm rendered it, syntho-ray does not; it may hold data")
    if other_release(live, helm) or not helm_made(live):
        return Step("leave", ref, "not this Helm release's")
    return Step("remove", ref, "Helm rendered it, syntho-ray does not", live=live)


def make_plan(session: Session, helm: HelmRelease, documents: list[dict[str, Any]]) -> Plan:
    """What taking `helm` over with `documents` does (reads the cluster, changes nothing)."""
    steps = [_step(doc, _read(session, ref_of(doc)), helm) for doc in documents]
    rendered = {s.ref for s in steps}
    for ref in helm.objects:
        if ref not in rendered and (found := _leftover(ref, _read(session, ref), helm)):
            steps.append(found)
    steps += [Step("leave", ref, "a kind syntho-ray does not manage") for ref in helm.unmanaged]
    return Plan(steps, helm.records, helm.namespace)


def _read(session: Session, ref: Ref) -> dict[str, Any] | None:
    try:
        return session.get(ref.path())
    except ApiError as error:
        raise ClusterError(explain(error, ref, "get")) from None


def rehearse(session: Session, plan: Plan) -> None:
    """Try every apply of the plan as a server-side dry run; the first refusal stops it all."""
    for step in plan.steps:
        if step.action in ("adopt", "update", "create") and step.doc is not None:
            try:
                apply_patch(session, step.doc, force=True, dry_run=True)
            except ClusterError as error:
                raise ClusterError(
                    f"{explain(error, step.ref, 'patch')}; nothing was changed"
                ) from None


def carry_out(session: Session, plan: Plan, report: Callable[[str], None]) -> None:
    """Do what the plan says, object by object, reporting each; then remove Helm's records
    (last: until then Helm still knows the release, and running again converges)."""
    for index, step in enumerate(plan.steps):
        try:
            done = _do(session, step)
        except ClusterError as error:
            raise ClusterError(*error.problems, _stopped(plan, index)) from None
        if done:
            report(f"{step.ref}: {_DONE[step.action]}")
    for name in plan.records:
        ref = Ref("Secret", plan.namespace, name)
        if delete(session, ref, dry_run=DryRun.NONE):
            report(f"{ref}: deleted (Helm release record)")


def _stopped(plan: Plan, index: int) -> str:
    left = ", ".join(str(s.ref) for s in plan.steps[index:] if s.action != "leave")
    return (
        f"the take-over stopped at {plan.steps[index].ref}; not done yet: {left}, and the "
        "removal of Helm's records (Helm still knows the release); fix the cause and run the "
        "same command again: it carries on from where it stopped"
    )


_DONE = {
    "adopt": "adopted",
    "update": "updated",
    "replace": "replaced",
    "create": "created",
    "remove": "removed",
}


def _do(session: Session, step: Step) -> bool:
    try:
        if step.action == "adopt" and step.live is not None:
            take_over_fields(
                session, step.ref, step.live, sources=HELM_MANAGERS, target=FIELD_MANAGER
            )
        elif step.action in ("replace", "remove"):
            uid = ((step.live or {}).get("metadata") or {}).get("uid")
            delete(session, step.ref, dry_run=DryRun.NONE, uid=uid)
            _wait_gone(session, step.ref)
        if step.doc is not None and step.action != "remove":
            apply_patch(session, step.doc, force=True)
    except ApiError as error:
        raise ClusterError(explain(error, step.ref, "patch")) from None
    return step.action != "leave"


def _wait_gone(session: Session, ref: Ref) -> None:
    deadline = time.monotonic() + GONE_TIMEOUT
    while _read(session, ref) is not None:
        if time.monotonic() > deadline:
            raise ClusterError(
                f"{ref}: still there {GONE_TIMEOUT:g}s after deleting it (a finalizer?); "
                "once it is gone, run the same command again"
            )
        time.sleep(GONE_POLL)
