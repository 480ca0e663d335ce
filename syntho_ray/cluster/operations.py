"""The release operations: apply, check, diff, status, delete and migrate.

Each takes a `Session` and one frozen options object and returns a result the caller
prints. What happens along the way (each object applied, warnings, the wait's progress)
goes to an optional `Reporter` as it happens; without one, an operation is silent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syntho_ray.build.naming import Release
from syntho_ray.cluster import apply as ssa
from syntho_ray.cluster import preflight
from syntho_ray.cluster.apply import DryRun, Outcome, Scope
from syntho_ray.cluster.connect import Session
from syntho_ray.cluster.owners import Live, labelled, live_objects, refuse_foreign
from syntho_ray.cluster.refs import Ref, ref_of
from syntho_ray.cluster.wait import Progress, wait_established, wait_ready
from syntho_ray.errors import ValuesError
from syntho_ray.facts.charts import Chart
from syntho_ray.facts.kinds import KINDS, raycluster_kind
from syntho_ray.output.crds import load_crds, served_versions
from syntho_ray.resolve import Resolved
from syntho_ray.values.layouts import AnyValues
from syntho_ray.values.loading import ValuesInput

if TYPE_CHECKING:  # (diff, status and migrate import their modules when they run)
    from syntho_ray.cluster import helm_migrate as helm
    from syntho_ray.cluster import takeover
    from syntho_ray.cluster.diff import ObjectDiff
    from syntho_ray.cluster.status import Status


def _ignore(_: Any) -> None:
    """Report nothing."""


@dataclass(frozen=True)
class Reporter:
    """Where an operation tells what it does while it runs."""

    outcome: Callable[[Outcome], None] = _ignore  # each object applied, pruned or deleted
    note: Callable[[str], None] = _ignore  # warnings and progress lines, for a person
    line: Callable[[str], None] = _ignore  # a change that is not an `Outcome`, as a line
    progress: Progress = _ignore  # the readiness of what --wait waits for


SILENT = Reporter()


@dataclass(frozen=True)
class Rendered:
    """A release as rendered: its values, where it goes, and its documents in apply order."""

    resolved: Resolved  # the values (of either chart generation), resolved
    release: Release
    documents: list[dict[str, Any]]

    @classmethod
    def of(cls, values: AnyValues, release: Release) -> Rendered:
        """Render `values` for `release`."""
        from syntho_ray.render import render_documents, resolved_values

        documents = render_documents(values, release)
        return cls(resolved_values(values), release, [labelled(d, release) for d in documents])

    @property
    def kuberay_version(self) -> str:
        """The KubeRay release the values select: it decides the RayCluster's API version."""
        return self.resolved.kuberay

    def scope(self, session: Session, *, live: bool = True) -> Scope:
        """Where the release's objects are; `live`: also where its live operator watches."""
        name, namespace, version = self.release.name, self.release.namespace, self.kuberay_version
        # ClusterRoles (chart 1.14 without singleNamespaceInstall), also when no longer rendered
        kinds = ("ClusterRole", "ClusterRoleBinding") if self.resolved.facts.cluster_rbac else ()
        if live:
            return ssa.find_scope(session, self.documents, name, namespace, version, kinds)
        return Scope(
            release=name, namespace=namespace, kuberay_version=version, cluster_kinds=kinds
        )


@dataclass(frozen=True)
class ApplyOptions:
    """What `apply` does: the release, and the command line's switches."""

    rendered: Rendered
    crds_dir: Path | None = None
    dry_run: DryRun = DryRun.NONE
    force: bool = False
    preflight: bool = True
    create_namespace: bool = False
    prune: bool = True
    wait: bool = False
    timeout: float = 600.0
    crd_poll: float = 0.1
    take_ownership: bool = False  # apply over objects of another release, or of Helm


@dataclass(frozen=True)
class ApplyResult:
    """What `apply` did, and where Ray is."""

    outcomes: list[Outcome]
    summary: str
    ray_address: str
    waited: bool


_ACTIONS = ("created", "configured", "unchanged", "pruned")


def apply(session: Session, options: ApplyOptions, report: Reporter = SILENT) -> ApplyResult:
    """Preflight, CRDs, namespace, server-side apply, prune; then wait if asked."""
    from syntho_ray.notes import ray_address

    rendered, dry_run = options.rendered, options.dry_run
    crds = load_crds(options.crds_dir) if options.crds_dir else []
    reader, live = _before(session, options, crds, report)
    if crds:
        _apply_crds(session, crds, options, report)
    done = _apply_release(session, options, report, reader, live)
    counts = ", ".join(f"{sum(o.action == a for o in done)} {a}" for a in _ACTIONS)
    where = f"release {rendered.release.name} in namespace {rendered.release.namespace}"
    summary = f"{where}: {counts}" + dry_run_note(dry_run)
    report.note(summary)
    address = ray_address(rendered.resolved, rendered.release)
    waited = options.wait and dry_run is DryRun.NONE
    if waited:
        kinds = ("Deployment", "RayCluster")
        refs = [ref_of(d) for d in rendered.documents if d["kind"] in kinds]
        wait_ready(session, refs, timeout=options.timeout, progress=report.progress)
    return ApplyResult(done, summary, address, waited)


def _before(
    session: Session, options: ApplyOptions, crds: list[dict[str, Any]], report: Reporter
) -> tuple[Session, Live]:
    """Preflight and ownership, on what they read of the cluster read all at once (the rendered
    objects among it); a session that knows those answers, and the live objects."""
    rendered = options.rendered
    kind = raycluster_kind(rendered.kuberay_version)
    target = preflight.Target(
        rendered.resolved,
        rendered.release,
        rendered.documents,
        options.create_namespace,
        served_versions(crds, kind.group, kind.plural),
    )
    checked = preflight.reads(target) if options.preflight else []
    namespace = KINDS["Namespace"].path(name=rendered.release.namespace)
    objects = [ref_of(d).path() for d in rendered.documents]
    reader = session.knowing([namespace, *checked, *objects])
    if options.preflight:
        _notes(report, preflight.require(reader, target))
    if options.take_ownership:
        return reader, live_objects(reader, rendered.documents)
    return reader, refuse_foreign(reader, rendered.documents, rendered.release)


def _apply_release(
    session: Session, options: ApplyOptions, report: Reporter, reader: Session, live: Live
) -> list[Outcome]:
    """The namespace if asked, the documents, then prune; `reader` and `live` have what was read
    before anything changed."""
    rendered, dry_run = options.rendered, options.dry_run
    created = None
    if options.create_namespace:
        namespace = rendered.release.namespace
        created = ssa.ensure_namespace(session, namespace, dry_run=dry_run, reader=reader)
    if created:
        report.outcome(created)
    is_new = created is not None and dry_run is not DryRun.NONE
    # Where the release is, found before the operator changes.
    scope = rendered.scope(session) if options.prune and not is_new else None
    done = ssa.apply_all(
        session,
        rendered.documents,
        force=options.force,
        dry_run=dry_run,
        report=report.outcome,
        namespace_is_new=is_new,
        kuberay_version=rendered.kuberay_version,
        live=live,
    )
    if scope is not None:
        keep = [ref_of(d) for d in rendered.documents]
        done += ssa.prune(session, scope, keep, dry_run=dry_run, report=report.outcome)
    return done


def _apply_crds(
    session: Session, crds: list[dict[str, Any]], options: ApplyOptions, report: Reporter
) -> None:
    dry_run = options.dry_run
    ssa.apply_all(session, crds, force=options.force, dry_run=dry_run, report=report.outcome)
    if dry_run is DryRun.NONE:
        names = [str(c["metadata"]["name"]) for c in crds]
        wait_established(session, names, timeout=options.timeout, poll=options.crd_poll)


def dry_run_note(dry_run: DryRun) -> str:
    """What a summary adds for a dry run."""
    return f" (dry run: {dry_run.value}; nothing changed)" if dry_run is not DryRun.NONE else ""


def _notes(report: Reporter, lines: list[str]) -> None:
    for line in lines:
        report.note(f"warning: {line}")


@dataclass(frozen=True)
class CheckOptions:
    """What `check` looks at."""

    rendered: Rendered
    create_namespace: bool = False


def check(session: Session, options: CheckOptions) -> list[str]:
    """Preflight: raise `ClusterError` for what would fail; the warnings otherwise."""
    return check_warnings(session, options.rendered, options.create_namespace, ())


def check_warnings(
    session: Session, rendered: Rendered, create_namespace: bool, crd_versions: tuple[str, ...]
) -> list[str]:
    """The preflight's warnings; its problems raise `ClusterError`."""
    target = preflight.Target(
        rendered.resolved, rendered.release, rendered.documents, create_namespace, crd_versions
    )
    return preflight.require(session, target)


@dataclass(frozen=True)
class DiffOptions:
    """What `diff` compares."""

    rendered: Rendered
    force: bool = False


def diff(session: Session, options: DiffOptions) -> list[ObjectDiff]:
    """The server's dry run of the render against the live objects: one diff per change.
    Objects of another syntho-ray release stop it, as they stop `apply` (Helm's show: they
    are what `migrate` adopts)."""
    from syntho_ray.cluster.diff import diff_release

    rendered = options.rendered
    is_new = preflight.namespace_exists(session, rendered.release.namespace) is False
    live = refuse_foreign(session, rendered.documents, rendered.release, helm=False)
    return diff_release(
        session,
        rendered.documents,
        rendered.scope(session, live=not is_new),
        force=options.force,
        namespace_is_new=is_new,
        live=live,
    )


@dataclass(frozen=True)
class StatusOptions:
    """Whose status."""

    rendered: Rendered


def status(session: Session, options: StatusOptions) -> Status:
    """The release as the cluster has it: lines to show, and whether it is installed."""
    from syntho_ray.cluster.status import release_status

    return release_status(session, options.rendered.resolved, options.rendered.release)


@dataclass(frozen=True)
class DeleteOptions:
    """What `delete` removes: with `everything`, also the claims and the license Secret."""

    rendered: Rendered
    everything: bool = False
    confirm: Callable[[list[Ref]], bool] = lambda refs: True


@dataclass(frozen=True)
class DeleteResult:
    """What a delete found, and what it deleted (nothing unless confirmed)."""

    targets: list[Ref]
    confirmed: bool
    deleted: list[Outcome] = field(default_factory=list)


def delete(session: Session, options: DeleteOptions, report: Reporter = SILENT) -> DeleteResult:
    """Delete what the release owns, in reverse apply order, once `confirm` agrees."""
    from syntho_ray.cluster.delete import delete_release, targets

    rendered = options.rendered
    scope = rendered.scope(session)
    refs, left = targets(
        session,
        rendered.documents,
        scope,
        everything=options.everything,
        release=rendered.release,
    )
    _notes(report, [f"left {f.ref}: it belongs to {f.owner}" for f in left])
    if not refs or not options.confirm(refs):
        return DeleteResult(refs, confirmed=False)
    done = delete_release(session, refs, dry_run=DryRun.NONE, report=report.outcome)
    return DeleteResult(refs, confirmed=True, deleted=done)


@dataclass(frozen=True)
class MigrateOptions:
    """Which Helm release to take over, the values file to write, and whether to act."""

    helm_release: str
    namespace: str
    values_file: Path
    extra: ValuesInput = field(default_factory=ValuesInput)  # -f and --set on top of Helm's
    chart: Chart | None = None  # the chart generation; default: the one the record names
    take_over: bool = False
    force: bool = False  # replace an existing values file
    preflight: bool = True


@dataclass(frozen=True)
class MigrateResult:
    """The Helm release found, and the plan (carried out with `take_over`)."""

    found: helm.HelmRelease
    plan: takeover.Plan
    chart: Chart  # the generation rendered


def migrate(session: Session, options: MigrateOptions, report: Reporter = SILENT) -> MigrateResult:
    """Write the Helm release's values; print the plan; with `take_over`, carry it out."""
    from syntho_ray.cluster import takeover

    rendered, found = _migrated(session, options, report)
    chart = rendered.resolved.facts.generation
    plan = takeover.make_plan(session, found, rendered.documents)
    for line in plan.lines():
        report.note(f"  {line}")
    if options.take_over:
        if options.preflight:
            _notes(report, check_warnings(session, rendered, False, ()))
        takeover.rehearse(session, plan)
        takeover.carry_out(session, plan, report.line)
    return MigrateResult(found, plan, chart)


def _migrated(
    session: Session, options: MigrateOptions, report: Reporter
) -> tuple[Rendered, helm.HelmRelease]:
    """The release read from Helm's record, its values file written, rendered on top."""
    from syntho_ray.cluster import helm_migrate as helm
    from syntho_ray.values.loading import load

    found = helm.read_release(session, options.namespace, options.helm_release)
    chart = helm.generation(found, options.chart)
    path, extra = options.values_file, options.extra
    released = helm.values_text(found, found.values, chart)
    try:
        loaded = load(dataclasses.replace(extra, base=[(str(path), released)], chart=chart))
    except ValuesError:
        helm.write_values(path, released, force=options.force)  # to fix where the errors say
        raise
    added = _added(extra)
    text = helm.values_text(found, loaded.user, chart, added) if added else released
    written = helm.write_values(path, text, force=options.force)
    report.note(
        f"{'wrote' if written else 'kept'} {path}: the values of Helm release {found.name} "
        f"(revision {found.revision}, chart {found.chart}){added}"
    )
    release = Release(name=found.name, namespace=options.namespace).checked()
    return Rendered.of(loaded.values, release), found


def _added(extra: ValuesInput) -> str:
    """`, then -f a.yaml and 2 --set arguments` (never a --set's value: it may be the license)."""
    sets = sum(len(s) for s in (extra.set_values, extra.set_string, extra.set_json, extra.set_file))
    parts = [f"-f {' -f '.join(extra.files)}"] if extra.files else []
    parts += [f"{sets} --set argument{'s' if sets > 1 else ''}"] if sets else []
    return f", then {' and '.join(parts)}" if parts else ""
