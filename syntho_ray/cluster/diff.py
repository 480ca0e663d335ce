"""`syntho-ray diff`: the server's dry run of the render against the live objects.

Each object is applied with `dryRun=All`; the result and the live object are
compared without the fields the server owns (status, resourceVersion, uid,
managedFields and the like), as a unified diff of their YAML. Objects prune
would delete show as removed.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from syntho_ray.cluster.apply import Scope, apply_patch, comparable, prunable
from syntho_ray.cluster.connect import Session, each
from syntho_ray.cluster.explain import explain
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.errors import ClusterError

SECRET_FIELDS = ("data", "stringData")


@dataclass(frozen=True)
class ObjectDiff:
    """The unified diff of one object; empty when live and rendered agree."""

    ref: Ref
    text: str


def as_yaml(obj: dict[str, Any] | None) -> list[str]:
    """Comparable YAML lines of an object (none for an absent one)."""
    if obj is None:
        return []
    text = yaml.safe_dump(comparable(obj), sort_keys=True, default_flow_style=False)
    return text.splitlines(keepends=True)


def masked(
    live: dict[str, Any] | None, wanted: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A Secret's values hidden as `kubectl diff` hides them: `***` where both sides agree,
    `*** (before)` and `*** (after)` where they differ."""
    if (live or wanted or {}).get("kind") != "Secret":
        return live, wanted
    before, after = copy.deepcopy(live), copy.deepcopy(wanted)
    for key in SECRET_FIELDS:
        old = (live or {}).get(key) or {}
        new = (wanted or {}).get(key) or {}
        for side, values, other, label in (
            (before, old, new, "before"),
            (after, new, old, "after"),
        ):
            if side is not None and values:
                side[key] = {
                    name: "***" if other.get(name) == value else f"*** ({label})"
                    for name, value in values.items()
                }
    return before, after


def unified(ref: Ref, live: dict[str, Any] | None, wanted: dict[str, Any] | None) -> ObjectDiff:
    """The unified diff from the live object to the wanted one (a Secret's values masked)."""
    name = f"{ref.kind}/{ref.namespace}/{ref.name}" if ref.namespace else f"{ref.kind}/{ref.name}"
    live, wanted = masked(live, wanted)
    lines = difflib.unified_diff(
        as_yaml(live),
        as_yaml(wanted),
        fromfile=f"live/{name}" if live is not None else "/dev/null",
        tofile=f"render/{name}" if wanted is not None else "/dev/null",
    )
    return ObjectDiff(ref, "".join(line if line.endswith("\n") else line + "\n" for line in lines))


def diff_release(
    session: Session,
    documents: list[dict[str, Any]],
    scope: Scope,
    *,
    force: bool,
    namespace_is_new: bool = False,
    live: Mapping[Ref, dict[str, Any] | None] | None = None,
) -> list[ObjectDiff]:
    """One diff per object that would change, including those prune would delete; the objects
    are compared all at once, each with its live object from `live` (read just before) when
    that has it."""
    version = scope.kuberay_version
    known = live or {}

    def compare(doc: dict[str, Any]) -> ObjectDiff:
        return _diff_one(session, doc, known, force=force, new=namespace_is_new, version=version)

    diffs = each(compare, documents)
    keep: Iterable[Ref] = [ref_of(d) for d in documents]
    if not namespace_is_new:
        for ref in prunable(session, scope, keep):
            diffs.append(unified(ref, session.get(ref.path()), None))
    return [d for d in diffs if d.text]


def _diff_one(
    session: Session,
    doc: dict[str, Any],
    known: Mapping[Ref, dict[str, Any] | None],
    *,
    force: bool,
    new: bool,
    version: str,
) -> ObjectDiff:
    ref = ref_of(doc)
    if new:
        return unified(ref, None, doc)  # the namespace is new: the server cannot dry-run into it
    try:
        live = known[ref] if ref in known else session.get(ref.path())
        wanted = apply_patch(session, doc, force=force, dry_run=True)
    except ClusterError as error:
        raise ClusterError(explain(error, ref, "patch", version)) from None
    return unified(ref, live, wanted)
