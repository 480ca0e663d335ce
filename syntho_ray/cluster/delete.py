"""`syntho-ray delete`: remove what the release owns, in reverse apply order.

The release's objects are found by its labels, in its `Scope`. The claims (the shared data) and
the license Secret stay unless `everything` is asked for; a Secret the user
manages (`manualSecretName`) carries no release labels and is never touched.
"""

from __future__ import annotations

from typing import Any

from syntho_ray.build.license import SECRET_NAME
from syntho_ray.build.naming import Release
from syntho_ray.cluster.apply import DryRun, Outcome, Report, Scope, delete, release_objects
from syntho_ray.cluster.connect import Session
from syntho_ray.cluster.owners import Foreign, owner_of
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.facts.kinds import apply_rank


def is_kept(ref: Ref) -> bool:
    """Kept unless --all: the claims and the license Secret."""
    return ref.kind == "PersistentVolumeClaim" or (ref.kind == "Secret" and ref.name == SECRET_NAME)


def targets(
    session: Session,
    documents: list[dict[str, Any]],
    scope: Scope,
    *,
    everything: bool,
    release: Release,
) -> tuple[list[Ref], list[Foreign]]:
    """What a delete removes, in reverse apply order; and the claims it leaves, being another
    release's (or Helm's)."""
    refs = {ref_of(obj) for obj in release_objects(session, scope)}
    left = []
    if everything:
        for doc in (d for d in documents if d.get("kind") == "PersistentVolumeClaim"):
            ref = ref_of(doc)
            live = session.get(ref.path())
            owner = owner_of(live, ref, release) if live is not None else None
            if owner is not None:
                left.append(owner)
            elif live is not None:
                refs.add(ref)
    chosen = [ref for ref in refs if everything or not is_kept(ref)]
    return sorted(chosen, key=lambda r: (-apply_rank(r.kind), r.name, r.namespace)), left


def delete_release(
    session: Session, refs: list[Ref], *, dry_run: DryRun, report: Report
) -> list[Outcome]:
    """Delete each ref; report what was deleted (a ref already gone is skipped)."""
    done = []
    for ref in refs:
        if delete(session, ref, dry_run=dry_run):
            outcome = Outcome(ref, "deleted", dry_run=dry_run is not DryRun.NONE)
            report(outcome)
            done.append(outcome)
    return done
