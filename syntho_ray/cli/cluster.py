"""`syntho-ray apply|check|diff|status|delete|migrate`: the release's life cycle in a cluster."""

from __future__ import annotations

import dataclasses
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from syntho_ray.build.naming import DEFAULT_NAMESPACE, Release
from syntho_ray.cli.app import (
    Debug,
    Namespace,
    RenderInputs,
    SetFiles,
    SetJson,
    SetStrings,
    SetValues,
    ValuesFiles,
    app,
    reported,
    say,
    takes_render_inputs,
    values_input,
)
from syntho_ray.cluster.apply import DryRun
from syntho_ray.cluster.connect import RetryPolicy
from syntho_ray.errors import UsageError, ValuesError
from syntho_ray.values.loading import ValuesInput

if TYPE_CHECKING:
    from syntho_ray.cluster.apply import Outcome, Scope
    from syntho_ray.cluster.connect import Session
    from syntho_ray.cluster.helm_migrate import HelmRelease
    from syntho_ray.values.model import Values

# Module settings the tests shorten: retries of one call, and the CRD polling interval.
RETRY = RetryPolicy()
CRD_POLL = 0.5

Kubeconfig = Annotated[
    Path | None,
    typer.Option(
        "--kubeconfig",
        help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
        dir_okay=False,
    ),
]
Context = Annotated[
    str | None, typer.Option("--context", help="kubeconfig context (default: the current one).")
]
CreateNamespace = Annotated[
    bool, typer.Option("--create-namespace", help="Create the namespace if it does not exist.")
]
ForceConflicts = Annotated[
    bool,
    typer.Option(
        "--force-conflicts", help="Take over fields another field manager owns (as kubectl)."
    ),
]
SkipPreflight = Annotated[
    bool, typer.Option("--skip-preflight", help="Do not check the cluster before changing it.")
]
Timeout = Annotated[
    str,
    typer.Option("--timeout", help="How long --wait (and CRD establishment) may take: 90s, 10m."),
]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """`10m`, `90s`, `1h30m`, `2.5m` or plain seconds -> seconds."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if not text or _DURATION.sub("", text):
        raise UsageError(f"--timeout {text!r}: expected a duration such as 90s, 10m or 1h")
    return sum(float(n) * _UNITS[unit] for n, unit in _DURATION.findall(text))


@dataclass(frozen=True)
class Rendered:
    """The rendered release and a connection to the cluster."""

    session: Session
    values: Values
    user: dict[str, Any]
    release: Release
    documents: list[dict[str, Any]]

    @property
    def kuberay_version(self) -> str:
        """The KubeRay release the values select: it decides the RayCluster's API version."""
        from syntho_ray.facts import kuberay

        return kuberay.version_of(self.values)

    def scope(self, *, live: bool = True) -> Scope:
        """Where the release's objects are; `live`: also where its live operator watches."""
        from syntho_ray.cluster.apply import Scope, find_scope

        name, namespace, version = self.release.name, self.release.namespace, self.kuberay_version
        if live:
            return find_scope(self.session, self.documents, name, namespace, version)
        return Scope(release=name, namespace=namespace, kuberay_version=version)


def _rendered(
    inputs: RenderInputs, kubeconfig: Path | None, context: str | None, *, warnings: bool = False
) -> Rendered:
    from syntho_ray.cluster.connect import connect
    from syntho_ray.render import render_documents

    target, loaded = inputs.load(warnings=warnings)
    documents = render_documents(loaded.values, target)
    session = connect(str(kubeconfig) if kubeconfig else None, context, RETRY, _notice)
    return Rendered(session, loaded.values, loaded.user, target, documents)


def _notice(line: str) -> None:
    say(f"note: {line}")


def _echo(outcome: Outcome) -> None:
    typer.echo(str(outcome))


@app.command()
@takes_render_inputs
def apply(
    inputs: RenderInputs,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    create_namespace: CreateNamespace = False,
    crds: Annotated[
        Path | None,
        typer.Option(
            "--crds", help="First apply the CRD files in this directory.", file_okay=False
        ),
    ] = None,
    dry_run: Annotated[
        DryRun, typer.Option("--dry-run", help="Show what would change: client or server.")
    ] = DryRun.NONE,
    force_conflicts: ForceConflicts = False,
    skip_preflight: SkipPreflight = False,
    prune: Annotated[
        bool, typer.Option("--prune/--no-prune", help="Delete what the render no longer has.")
    ] = True,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait until the operator and the RayCluster are ready.")
    ] = False,
    timeout: Timeout = "10m",
    debug: Debug = False,
) -> None:
    """Server-side apply the release (field manager syntho-ray), prune, and optionally wait."""
    with reported(debug):
        seconds = parse_duration(timeout)
        rendered = _rendered(inputs, kubeconfig, context, warnings=True)
        _apply(
            rendered,
            crds,
            dry_run,
            force_conflicts,
            skip_preflight,
            create_namespace,
            prune,
            seconds,
        )
        _finish(rendered, dry_run, wait, seconds)


def _apply(
    rendered: Rendered,
    crds_dir: Path | None,
    dry_run: DryRun,
    force: bool,
    skip_preflight: bool,
    create_namespace: bool,
    prune: bool,
    timeout: float,
) -> None:
    from syntho_ray.cluster import apply as ops
    from syntho_ray.cluster.refs import ref_of
    from syntho_ray.facts.kinds import raycluster_kind

    session, namespace = rendered.session, rendered.release.namespace
    crds = ops.load_crds(crds_dir) if crds_dir else []
    if not skip_preflight:
        kind = raycluster_kind(rendered.kuberay_version)
        versions = ops.served_versions(crds, kind.group, kind.plural)
        _preflight(rendered, create_namespace, versions)
    if crds:
        _apply_crds(session, crds, force=force, dry_run=dry_run, timeout=timeout)
    created = (
        ops.ensure_namespace(session, namespace, dry_run=dry_run) if create_namespace else None
    )
    if created:
        _echo(created)
    is_new = created is not None and dry_run is not DryRun.NONE
    scope = rendered.scope() if prune and not is_new else None  # before the operator changes
    done = ops.apply_all(
        session,
        rendered.documents,
        force=force,
        dry_run=dry_run,
        report=_echo,
        namespace_is_new=is_new,
        kuberay_version=rendered.kuberay_version,
    )
    if scope is not None:
        keep = [ref_of(d) for d in rendered.documents]
        done += ops.prune(session, scope, keep, dry_run=dry_run, report=_echo)
    counts = ", ".join(f"{sum(o.action == a for o in done)} {a}" for a in _ACTIONS)
    say(f"release {rendered.release.name} in namespace {namespace}: {counts}" + _dry(dry_run))


_ACTIONS = ("created", "configured", "unchanged", "pruned")


def _dry(dry_run: DryRun) -> str:
    return f" (dry run: {dry_run.value}; nothing changed)" if dry_run is not DryRun.NONE else ""


def _preflight(rendered: Rendered, create_namespace: bool, crd_versions: tuple[str, ...]) -> None:
    from syntho_ray.cluster import preflight

    target = preflight.Target(
        rendered.values, rendered.release, rendered.documents, create_namespace, crd_versions
    )
    for note in preflight.require(rendered.session, target):
        say(f"warning: {note}")


def _apply_crds(
    session: Session, crds: list[dict[str, Any]], *, force: bool, dry_run: DryRun, timeout: float
) -> None:
    from syntho_ray.cluster import apply as ops
    from syntho_ray.cluster.wait import wait_established

    ops.apply_all(session, crds, force=force, dry_run=dry_run, report=_echo)
    if dry_run is DryRun.NONE:
        names = [str(c["metadata"]["name"]) for c in crds]
        wait_established(session, names, timeout=timeout, poll=CRD_POLL)


def _finish(rendered: Rendered, dry_run: DryRun, wait: bool, seconds: float) -> None:
    from syntho_ray.cluster.display import LiveDisplay
    from syntho_ray.cluster.refs import ref_of
    from syntho_ray.cluster.wait import wait_ready
    from syntho_ray.notes import ray_address

    address = ray_address(rendered.values, rendered.release)
    if not wait or dry_run is not DryRun.NONE:
        if dry_run is DryRun.NONE:
            say(f"ray_address (once ready; see `syntho-ray status`): {address}")
        return
    refs = [ref_of(d) for d in rendered.documents if d["kind"] in ("Deployment", "RayCluster")]
    wait_ready(rendered.session, refs, timeout=seconds, progress=LiveDisplay(sys.stderr))
    typer.echo(f"ray_address: {address}")


@app.command()
@takes_render_inputs
def check(
    inputs: RenderInputs,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    create_namespace: CreateNamespace = False,
    debug: Debug = False,
) -> None:
    """Preflight: check that the cluster has everything the release relies on."""
    with reported(debug):
        rendered = _rendered(inputs, kubeconfig, context, warnings=True)
        _preflight(rendered, create_namespace, ())
        say(
            f"preflight passed: the cluster is ready for release {rendered.release.name} in "
            f"namespace {rendered.release.namespace}"
        )


@app.command()
@takes_render_inputs
def diff(
    inputs: RenderInputs,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    force_conflicts: ForceConflicts = False,
    debug: Debug = False,
) -> None:
    """Diff the live objects against the render (server dry run); exit 1 when they differ."""
    from syntho_ray.cluster.diff import diff_release
    from syntho_ray.cluster.preflight import namespace_exists

    with reported(debug):
        rendered = _rendered(inputs, kubeconfig, context)
        is_new = namespace_exists(rendered.session, rendered.release.namespace) is False
        diffs = diff_release(
            rendered.session,
            rendered.documents,
            rendered.scope(live=not is_new),
            force=force_conflicts,
            namespace_is_new=is_new,
        )
        for found in diffs:
            sys.stdout.write(found.text)
        sys.stdout.flush()
    if diffs:
        raise typer.Exit(1)


@app.command()
@takes_render_inputs
def status(
    inputs: RenderInputs,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    debug: Debug = False,
) -> None:
    """Operator readiness, RayCluster state, pods per group, claims and the head service."""
    from syntho_ray.cluster.status import release_status

    with reported(debug):
        rendered = _rendered(inputs, kubeconfig, context)
        for line in release_status(rendered.session, rendered.values, rendered.release):
            typer.echo(line)


@app.command()
@takes_render_inputs
def delete(
    inputs: RenderInputs,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    everything: Annotated[
        bool,
        typer.Option(
            "--all", help="Also delete the claims (the shared data) and the license Secret."
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    debug: Debug = False,
) -> None:
    """Delete what the release owns, in reverse order; claims and license stay unless --all."""
    from syntho_ray.cluster.delete import delete_release, targets

    with reported(debug):
        rendered = _rendered(inputs, kubeconfig, context)
        scope = rendered.scope()
        refs = targets(rendered.session, rendered.documents, scope, everything=everything)
        if not refs:
            where = rendered.release
            say(f"release {where.name} has no objects in namespace {where.namespace}")
            return
        for ref in refs:
            say(f"  {ref}")
        if not yes and not _confirm(f"Delete these {len(refs)} objects?"):
            say("nothing deleted")
            return
        done = delete_release(rendered.session, refs, dry_run=DryRun.NONE, report=_echo)
        kept = (
            ""
            if everything
            else "; the claims and the license Secret are kept (--all deletes them)"
        )
        say(f"deleted {len(done)} objects of release {rendered.release.name}{kept}")


def is_terminal() -> bool:
    """Is a person at stdin who can answer a question?"""
    return sys.stdin.isatty()


def _confirm(question: str) -> bool:
    if not is_terminal():
        raise UsageError("not on a terminal: pass --yes to delete without confirmation")
    return bool(typer.confirm(question, default=False, err=True))


@app.command()
def migrate(
    from_helm_release: Annotated[
        str, typer.Option("--from-helm-release", help="Name of the installed Helm release.")
    ],
    namespace: Namespace = DEFAULT_NAMESPACE,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Values file to write (default: NAME-values.yaml).",
            dir_okay=False,
        ),
    ] = None,
    values: ValuesFiles = None,
    set_values: SetValues = None,
    set_string: SetStrings = None,
    set_json: SetJson = None,
    set_file: SetFiles = None,
    chart: Annotated[
        str | None,
        typer.Option(
            "--chart",
            metavar="1.13|1.14",
            help="Chart generation to render with (default: the one the release record names).",
        ),
    ] = None,
    do_apply: Annotated[
        bool, typer.Option("--apply", help="Take the objects over and remove Helm's records.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print the plan (the default without --apply).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing values file.")
    ] = False,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    skip_preflight: SkipPreflight = False,
    debug: Debug = False,
) -> None:
    """Coming from Helm: write a release's values file (the release's values, then -f and
    --set on top); print the plan object by object; with --apply, take the release over."""
    from syntho_ray.cluster import takeover

    path = output or Path(f"{from_helm_release}-values.yaml")
    extra = values_input(values, set_values, set_string, set_json, set_file)
    with reported(debug):
        if do_apply and dry_run:
            raise UsageError("--apply and --dry-run exclude each other")
        rendered, found = _migrated(from_helm_release, namespace, path, extra, chart, force,
                                    kubeconfig, context)  # fmt: skip
        plan = takeover.make_plan(rendered.session, found, rendered.documents)
        for line in plan.lines():
            say(f"  {line}")
        if not do_apply:
            say("dry run: nothing changed in the cluster; run again with --apply to take over")
            return
        if not skip_preflight:
            _preflight(rendered, False, ())
        takeover.rehearse(rendered.session, plan)
        takeover.carry_out(rendered.session, plan, typer.echo)
        say(
            f"Helm no longer knows release {found.name}: `helm uninstall` cannot delete it. "
            f"From now on: syntho-ray apply -f {path} -n {namespace} --release {found.name}"
        )


def _migrated(
    name: str,
    namespace: str,
    path: Path,
    extra: ValuesInput,
    chart: str | None,
    force: bool,
    kubeconfig: Path | None,
    context: str | None,
) -> tuple[Rendered, HelmRelease]:
    """The release read from Helm's record, its values file written, rendered on top."""
    from syntho_ray.cluster import helm_migrate as helm
    from syntho_ray.cluster.connect import connect
    from syntho_ray.render import render_documents
    from syntho_ray.values.loading import load

    session = connect(str(kubeconfig) if kubeconfig else None, context, RETRY, _notice)
    found = helm.read_release(session, namespace, name)
    helm.generation(found, chart)
    released = helm.values_text(found, found.values)
    given = dataclasses.replace(extra, base=[(str(path), released)])
    try:
        loaded = load(given)
    except ValuesError:
        helm.write_values(path, released, force=force)  # to fix where the errors say
        raise
    added = _added(extra)
    text = helm.values_text(found, loaded.user, added) if added else released
    written = helm.write_values(path, text, force=force)
    say(f"{'wrote' if written else 'kept'} {path}: the values of Helm release {found.name} "
        f"(revision {found.revision}, chart {found.chart}){added}")  # fmt: skip
    target = RenderInputs(ValuesInput(files=[str(path)]), namespace, found.name).target()
    documents = render_documents(loaded.values, target)
    return Rendered(session, loaded.values, loaded.user, target, documents), found


def _added(extra: ValuesInput) -> str:
    """`, then -f a.yaml and 2 --set arguments` (never a --set's value: it may be the license)."""
    sets = sum(len(s) for s in (extra.set_values, extra.set_string, extra.set_json, extra.set_file))
    parts = [f"-f {' -f '.join(extra.files)}"] if extra.files else []
    parts += [f"{sets} --set argument{'s' if sets > 1 else ''}"] if sets else []
    return f", then {' and '.join(parts)}" if parts else ""
