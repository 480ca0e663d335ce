"""Where the time of one `syntho-ray` cluster command goes, measured inside its own process.

    python benchmarks/split.py OUT.json apply -f values.yaml -n NS --kubeconfig K [--wait]

Runs the command line as `python -m syntho_ray` would, with timers around its steps (the
command line's start, the cluster code's imports, values and render, the connection, the
reads made before any change, the preflight, the ownership check, the applies, prune, the
wait) and a count of the requests made in each, then writes them as JSON to OUT.json:
`{"started": epoch seconds at the first line, "steps": [[name, seconds, requests], ...],
"ended": epoch seconds after the command}`. The caller knows when it started the process,
so it gets the interpreter's start (before `started`) and the exit (after `ended`) too.
`benchmarks/cluster.py --split` runs it on the end-to-end control plane.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.time()
CLOCK = time.perf_counter
BEGUN = CLOCK()

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this tree's syntho-ray, as `python -m syntho_ray` run here
steps: dict[str, list[float]] = {}  # name: [seconds, requests]
current = ["command line"]
marks = {"command line": BEGUN}


def _step(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function`, its time and requests counted under `name` (requests of what it calls in
    turn under their own names, when those are timed too)."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        outer = current[0]
        current[0] = name
        steps.setdefault(name, [0.0, 0])
        began = CLOCK()
        try:
            return function(*args, **kwargs)
        finally:
            spent = CLOCK() - began
            steps.setdefault(name, [0.0, 0])[0] += spent
            if outer in steps:
                steps[outer][0] -= spent  # each step counts only its own time
            current[0] = outer

    return timed


def _count(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def counted(*args: Any, **kwargs: Any) -> Any:
        steps.setdefault(current[0], [0.0, 0])[1] += 1
        return function(*args, **kwargs)

    return counted


def instrument() -> None:
    """Timers around the steps of the cluster commands (their modules loaded here: the
    command line would load them when the command runs). A step an older tree does not have
    is left out."""
    from syntho_ray.cli import cluster as cli
    from syntho_ray.cluster import apply, connect, operations, preflight

    for owner, attribute in ((connect.Session, "_once"), (connect.Session, "watch")):
        setattr(owner, attribute, _count(getattr(owner, attribute)))
    of = operations.Rendered.__dict__["of"].__func__
    operations.Rendered.of = classmethod(_step("render", of))  # type: ignore[method-assign, assignment]
    for owner, attribute, name in (
        (cli, "on_cluster", "values (read and checked)"),
        (cli, "session", "connect (kubeconfig, client)"),
        (connect.Session, "knowing", "reads before any change"),
        (preflight, "require", "preflight checks"),
        (operations, "check_warnings", "preflight checks"),
        (operations, "refuse_foreign", "ownership check"),
        (operations, "live_objects", "ownership check"),
        (apply, "ensure_namespace", "namespace"),
        (operations.Rendered, "scope", "prune scope (watched namespaces)"),
        (apply, "apply_all", "applies"),
        (apply, "prune", "prune listings and deletes"),
        (operations, "wait_ready", "wait"),
        (operations, "apply", "the rest of apply (summary, address)"),
    ):
        if hasattr(owner, attribute):
            setattr(owner, attribute, _step(name, getattr(owner, attribute)))


KUBECTL_RESPONSE = re.compile(r'"Response" verb="(\w+)" url="([^"]+)" status="(\d+)[^"]*"')


def kubectl_requests(log: str) -> Counter[str]:
    """The requests in a `kubectl -v=6` log, by verb and what they are for."""
    found: Counter[str] = Counter()
    for verb, url, _ in KUBECTL_RESPONSE.findall(log):
        path = url.split("?", 1)[0].split("//", 1)[-1].partition("/")[2]
        parts = path.split("/")
        if parts[0] == "openapi":
            what = "openapi"
        elif len(parts) <= 3:
            what = "discovery"
        elif "watch=true" in url:
            what = "watch"
        else:
            what = "object" if len(parts) % 2 == (1 if parts[0] == "apis" else 0) else "list"
        found[f"{verb} {what}"] += 1
    return found


def main() -> int:
    out = Path(sys.argv[1])
    sys.argv = ["syntho-ray", *sys.argv[2:]]
    from syntho_ray import cli

    steps["imports (command line)"] = [CLOCK() - BEGUN, 0]
    loaded = CLOCK()
    import syntho_ray.render
    import syntho_ray.values.loading  # noqa: F401  (what a render loads when it runs)

    steps["imports (values, render)"] = [CLOCK() - loaded, 0]
    loaded = CLOCK()
    instrument()
    steps["imports (cluster code)"] = [CLOCK() - loaded, 0]
    code = 0
    try:
        cli.main()
    except SystemExit as done:
        code = int(done.code or 0)
    ended = time.time()
    rows = [[name, round(seconds, 4), int(count)] for name, (seconds, count) in steps.items()]
    out.write_text(json.dumps({"started": STARTED, "steps": rows, "ended": ended, "code": code}))
    return code


if __name__ == "__main__":
    sys.exit(main())
