"""`syntho-ray apply|check|diff`: make the cluster match the render, or see what would change.

Each command parses its options, calls one `cluster.operations` function and prints its result.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from syntho_ray.cli.app import (
    Debug,
    app,
    reported,
    say,
)
from syntho_ray.cli.inputs import (
    RenderCommand,
    RenderInputs,
    render_inputs,
)
from syntho_ray.cli.options import (
    Context,
    Crds,
    CreateNamespace,
    DryRunOption,
    ForceConflicts,
    Kubeconfig,
    Prune,
    RequestTimeout,
    SkipPreflight,
    TakeOwnership,
    Timeout,
    Wait,
)
from syntho_ray.errors import DIFF_FAILED, DIFFERS, UsageError

if TYPE_CHECKING:  # the commands import the cluster code they use: rendering loads none of it
    from syntho_ray.cluster.apply import Outcome
    from syntho_ray.cluster.connect import RetryPolicy, Session
    from syntho_ray.cluster.operations import Rendered, Reporter

# Module settings the tests shorten: retries of one call (None: the default), CRD polling.
RETRY: RetryPolicy | None = None
CRD_POLL = 0.5
REQUEST_TIMEOUT = 30.0  # seconds: one API call, or the credential plugin (--request-timeout)

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str, *, option: str = "--timeout") -> float:
    """`10m`, `90s`, `1h30m`, `2.5m` or plain seconds -> seconds."""
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if not text or _DURATION.sub("", text):
        raise UsageError(f"{option} {text!r}: expected a duration such as 90s, 10m or 1h")
    return sum(float(n) * _UNITS[unit] for n, unit in _DURATION.findall(text))


def connect_to(kubeconfig: Path | None, context: str | None) -> Session:
    """The session to the cluster the kubeconfig (and context) names."""
    from syntho_ray.cluster.connect import connect

    return connect(
        str(kubeconfig) if kubeconfig else None,
        context,
        RETRY,
        _notice,
        request_timeout=REQUEST_TIMEOUT,
    )


def rendered_for(
    inputs: RenderInputs, kubeconfig: Path | None, context: str | None, *, warnings: bool = False
) -> tuple[Session, Rendered]:
    """The values rendered (their warnings shown when asked), then the session."""
    from syntho_ray.cluster.operations import Rendered

    target, loaded = inputs.load(warnings=warnings)
    rendered = Rendered.of(loaded.values, target)
    return connect_to(kubeconfig, context), rendered


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


@app.command(cls=RenderCommand)
def apply(
    ctx: typer.Context,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    request_timeout: RequestTimeout = None,
    create_namespace: CreateNamespace = False,
    crds: Crds = None,
    dry_run: DryRunOption = "none",
    force_conflicts: ForceConflicts = False,
    take_ownership: TakeOwnership = False,
    skip_preflight: SkipPreflight = False,
    prune: Prune = True,
    wait: Wait = False,
    timeout: Timeout = "10m",
    debug: Debug = False,
) -> None:
    """Server-side apply the release (field manager syntho-ray), prune, and optionally wait."""
    from syntho_ray.cluster import operations
    from syntho_ray.cluster.apply import DryRun

    inputs = render_inputs(ctx)
    with reported(debug):
        seconds = parse_duration(timeout)
        session, rendered = rendered_for(inputs, kubeconfig, context, warnings=True)
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


@app.command(cls=RenderCommand)
def check(
    ctx: typer.Context,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    request_timeout: RequestTimeout = None,
    create_namespace: CreateNamespace = False,
    debug: Debug = False,
) -> None:
    """Preflight: check that the cluster has everything the release relies on."""
    from syntho_ray.cluster import operations

    inputs = render_inputs(ctx)
    with reported(debug):
        session, rendered = rendered_for(inputs, kubeconfig, context, warnings=True)
        options = operations.CheckOptions(rendered, create_namespace)
        for line in operations.check(session, options):
            say(f"warning: {line}")
        created = " (check created nothing)" if create_namespace else ""
        say(
            f"preflight passed: the cluster is ready for release {rendered.release.name} in "
            f"namespace {rendered.release.namespace}{created}"
        )


@app.command(cls=RenderCommand)
def diff(
    ctx: typer.Context,
    kubeconfig: Kubeconfig = None,
    context: Context = None,
    request_timeout: RequestTimeout = None,
    force_conflicts: ForceConflicts = False,
    debug: Debug = False,
) -> None:
    """Diff the live objects against the render (server dry run); exit 1: they differ, 2: error."""
    from syntho_ray.cluster import operations

    inputs = render_inputs(ctx)
    with reported(debug, failed=DIFF_FAILED):
        session, rendered = rendered_for(inputs, kubeconfig, context)
        diffs = operations.diff(session, operations.DiffOptions(rendered, force_conflicts))
        for found in diffs:
            sys.stdout.write(found.text)
        sys.stdout.flush()
    if diffs:
        raise typer.Exit(DIFFERS)
