"""`syntho-ray status|delete|migrate`: look at the release, remove it, or take it over from Helm.

Each command parses its options, calls one operation of `cluster.operations`, prints the
result and picks the exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syntho_ray.build.naming import DEFAULT_NAMESPACE
from syntho_ray.cli.cluster import ON_CLUSTER, on_cluster, reporter, session
from syntho_ray.cli.command import chosen, taking
from syntho_ray.cli.common import app, say
from syntho_ray.cli.inputs import FilesAndSets, Namespace
from syntho_ray.cli.options import ChartChoice, Connection, SkipPreflight
from syntho_ray.errors import ClusterError, UsageError

if TYPE_CHECKING:
    from syntho_ray.cluster.refs import Ref


@app.command(cls=ON_CLUSTER)
def status(ctx: typer.Context) -> None:
    """Operator readiness, RayCluster state, pods per group, claims and the head service."""
    from syntho_ray.cluster import operations

    session, rendered = on_cluster(ctx)
    found = operations.status(session, operations.StatusOptions(rendered))
    for line in found.lines:
        typer.echo(line)
    if not found.installed:
        where = rendered.release
        raise ClusterError(
            f"release {where.name} is not installed in namespace {where.namespace}: no "
            "operator Deployment and no RayCluster (`syntho-ray apply` with the same "
            "options installs it)"
        )


@app.command(cls=ON_CLUSTER)
def delete(
    ctx: typer.Context,
    everything: Annotated[
        bool,
        typer.Option(
            "--all", help="Also delete the claims (the shared data) and the license Secret."
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete what the release owns, in reverse order; claims and license stay unless --all."""
    from syntho_ray.cluster import operations

    session, rendered = on_cluster(ctx)
    options = operations.DeleteOptions(rendered, everything, lambda refs: _confirm(refs, yes))
    result = operations.delete(session, options, reporter())
    where = rendered.release
    if not result.targets:
        say(f"release {where.name} has no objects in namespace {where.namespace}")
    elif not result.confirmed:
        say("nothing deleted")
    else:
        kept = "" if everything else KEPT
        say(f"deleted {len(result.deleted)} objects of release {where.name}{kept}")


KEPT = "; the claims and the license Secret are kept (--all deletes them)"


def is_terminal() -> bool:
    """Is a person at stdin who can answer a question?"""
    return sys.stdin.isatty()


def _confirm(refs: list[Ref], yes: bool) -> bool:
    for ref in refs:
        say(f"  {ref}")
    if yes:
        return True
    if not is_terminal():
        raise UsageError("not on a terminal: pass --yes to delete without confirmation")
    return bool(typer.confirm(f"Delete these {len(refs)} objects?", default=False, err=True))


ValuesFileOut = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        dir_okay=False,
        help="Values file to write (default: NAME-values.yaml).",
    ),
]

MigrateChart = Annotated[
    ChartChoice | None,
    typer.Option(
        "--chart",
        help="Chart generation to render with (default: the one the release record names).",
    ),
]

TakeOver = Annotated[
    bool, typer.Option("--apply", help="Take the objects over and remove Helm's records.")
]

PlanOnly = Annotated[
    bool, typer.Option("--dry-run", help="Only print the plan (the default without --apply).")
]

FromHelmRelease = Annotated[
    str,
    typer.Option("--from-helm-release", metavar="NAME", help="Name of the installed Helm release."),
]

ForceValuesFile = Annotated[bool, typer.Option("--force", help="Replace an existing values file.")]


@app.command(cls=taking(FilesAndSets, Connection))
def migrate(
    ctx: typer.Context,
    from_helm_release: FromHelmRelease,
    namespace: Namespace = DEFAULT_NAMESPACE,
    output: ValuesFileOut = None,
    chart: MigrateChart = None,
    do_apply: TakeOver = False,  # --apply
    dry_run: PlanOnly = False,
    force: ForceValuesFile = False,
    skip_preflight: SkipPreflight = False,
) -> None:
    """Coming from Helm: write a release's values file (the release's values, then -f and
    --set on top); print the plan object by object; with --apply, take the release over."""
    from syntho_ray.cluster import operations

    if do_apply and dry_run:
        raise UsageError("--apply and --dry-run exclude each other")
    path = output or Path(f"{from_helm_release}-values.yaml")
    generation = chart.chart if chart else None
    options = operations.MigrateOptions(
        from_helm_release,
        namespace,
        path,
        chosen(ctx, FilesAndSets).given(),
        generation,
        do_apply,
        force,
        not skip_preflight,
    )
    done = operations.migrate(session(ctx), options, reporter())
    if not do_apply:
        say("dry run: nothing changed in the cluster; run again with --apply to take over")
        return
    say(
        f"Helm no longer knows release {done.found.name}: `helm uninstall` cannot delete it. "
        f"From now on: syntho-ray apply --chart {done.chart} -f {path} -n {namespace} "
        f"--release {done.found.name}"
    )
