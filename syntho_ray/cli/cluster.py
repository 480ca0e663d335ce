"""`syntho-ray apply|check|diff`: make the cluster match the render, or see what would change.

Each command parses its options, calls one `cluster.operations` function and prints its result.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from syntho_ray.cli.command import chosen, taking
from syntho_ray.cli.common import app, say
from syntho_ray.cli.inputs import FilesAndSets, Target, render_inputs
from syntho_ray.cli.options import (
    Connection,
    Crds,
    CreateNamespace,
    DryRunOption,
    ForceConflicts,
    Prune,
    SkipPreflight,
    TakeOwnership,
    Timeout,
    Wait,
    parse_duration,
)
from syntho_ray.errors import DIFF_FAILED, DIFFERS

if TYPE_CHECKING:  # the commands import the cluster code they use: rendering loads none of it
    from syntho_ray.cluster.apply import Outcome
    from syntho_ray.cluster.connect import RetryPolicy, Session
    from syntho_ray.cluster.operations import Rendered, Reporter

# Module settings the tests shorten: retries of one call (None: the default), CRD polling.
RETRY: RetryPolicy | None = None
CRD_POLL = 0.1  # a new CRD is Established within a fraction of a second

ON_CLUSTER = taking(FilesAndSets, Target, Connection)


def session(ctx: typer.Context) -> Session:
    """The session to the cluster the command's kubeconfig (and context) names."""
    from syntho_ray.cluster.connect import connect

    given = chosen(ctx, Connection)
    kubeconfig = str(given.kubeconfig) if given.kubeconfig else None
    timeout = given.seconds()
    return connect(kubeconfig, given.context, RETRY, _notice, request_timeout=timeout)


def on_cluster(ctx: typer.Context, *, warnings: bool = False) -> tuple[Session, Rendered]:
    """The values rendered (their warnings shown when asked), then the session."""
    from syntho_ray.cluster.operations import Rendered

    target, loaded = render_inputs(ctx).load(warnings=warnings)
    rendered = Rendered.of(loaded.values, target)
    return session(ctx), rendered


def reporter(*, live: bool = False) -> Reporter:
    """Outcomes on stdout, notes on stderr; with `live`, the wait's progress too."""
    from syntho_ray.cluster.display import LiveDisplay
    from syntho_ray.cluster.operations import Reporter

    if live:
        return Reporter(echo, say, typer.echo, LiveDisplay(sys.stderr))
    return Reporter(echo, say, typer.echo)


def _notice(line: str) -> None:
    say(f"note: {line}")


def echo(outcome: Outcome) -> None:
    """One outcome, on stdout."""
    typer.echo(str(outcome))


@app.command(cls=ON_CLUSTER)
def apply(
    ctx: typer.Context,
    create_namespace: CreateNamespace = False,
    crds: Crds = None,
    dry_run: DryRunOption = "none",
    force_conflicts: ForceConflicts = False,
    take_ownership: TakeOwnership = False,
    skip_preflight: SkipPreflight = False,
    prune: Prune = True,
    wait: Wait = False,
    timeout: Timeout = "10m",
) -> None:
    """Server-side apply the release (field manager syntho-ray), prune, and optionally wait."""
    from syntho_ray.cluster import operations
    from syntho_ray.cluster.apply import DryRun

    seconds = parse_duration(timeout)
    session, rendered = on_cluster(ctx, warnings=True)
    options = operations.ApplyOptions(
        rendered,
        crds_dir=crds,
        dry_run=DryRun(dry_run),
        force=force_conflicts or take_ownership,
        take_ownership=take_ownership,
        preflight=not skip_preflight,
        create_namespace=create_namespace,
        prune=prune,
        wait=wait,
        timeout=seconds,
        crd_poll=CRD_POLL,
    )
    result = operations.apply(session, options, reporter(live=True))
    if result.waited:
        typer.echo(f"ray_address: {result.ray_address}")
    elif dry_run == "none":
        say(f"ray_address (once ready; see `syntho-ray status`): {result.ray_address}")


@app.command(cls=ON_CLUSTER)
def check(ctx: typer.Context, create_namespace: CreateNamespace = False) -> None:
    """Preflight: check that the cluster has everything the release relies on."""
    from syntho_ray.cluster import operations

    session, rendered = on_cluster(ctx, warnings=True)
    for line in operations.check(session, operations.CheckOptions(rendered, create_namespace)):
        say(f"warning: {line}")
    created = " (check created nothing)" if create_namespace else ""
    say(
        f"preflight passed: the cluster is ready for release {rendered.release.name} in "
        f"namespace {rendered.release.namespace}{created}"
    )


@app.command(cls=taking(FilesAndSets, Target, Connection, failed=DIFF_FAILED))
def diff(ctx: typer.Context, force_conflicts: ForceConflicts = False) -> None:
    """Diff the live objects against the render (server dry run); exit 1: they differ, 2: error."""
    from syntho_ray.cluster import operations

    session, rendered = on_cluster(ctx)
    diffs = operations.diff(session, operations.DiffOptions(rendered, force_conflicts))
    for found in diffs:
        sys.stdout.write(found.text)
    sys.stdout.flush()
    if diffs:
        raise typer.Exit(DIFFERS)
