"""syntho-ray's speed, side by side with `helm template` of the reference chart.

    python benchmarks/run.py            # the full run that BENCHMARKS.md reports
    python benchmarks/run.py --quick    # one run of each, small sizes: shows the suite works
    python benchmarks/run.py --cold     # only 3. below: the cold command line

Each figure is the median of several runs, on this machine, in this one run:

1. render of the reference case `02-production`, values to YAML text, in process through
   `syntho_ray.render_yaml`;
2. scaling: 1, 10, 100 and 1,000 fully specified worker groups, time and peak memory
   (tracemalloc), in process;
3. cold command line: `syntho-ray render -f FILE` in a new process for the reference case and
   for files of 1,000 and 4,000 worker groups, against `helm template` of the same file, with
   the peak memory of each process; and, for scale, the interpreter's start and the import of
   the libraries a render needs (`python -c "import pydantic, typer, yaml"`).

Every render is also done by `helm template` of the reference chart, with the same values
file, when a `helm` binary and the chart are there: `--helm` (default `$SYNTHO_RAY_BENCH_HELM`,
else `helm` on PATH) and `--chart` (default `$SYNTHO_RAY_BENCH_CHART`, the chart directory).
Without them the Helm columns say why they are empty. Times are reported, never judged: the
exit code is 0 whatever they are. Only the standard library, PyYAML and syntho-ray are used.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

import syntho_ray
from syntho_ray import ValuesInput

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(os.environ.get("SYNTHO_RAY_BENCH_CASES", ROOT.parent / "shared/reference/cases"))
CASE = "02-production"
NAMESPACE = "syntho"
RELEASE = "ray-cluster"
SIZES = (1, 10, 100, 1000, 4000)
QUICK_SIZES = (1, 10)
HELM_IN_SCALING = 1000  # larger sizes: Helm only in the cold figures (4,000 groups take it ~20 s)
COLD_SIZES = (1000, 4000)  # values files rendered by a new process, next to helm template
QUICK_COLD_SIZES = (10,)
FLOOR = "import pydantic, typer, yaml"  # the libraries a render imports
TARGET_RENDER_S = 0.005  # in process, case 02 (issues 6 and 14)
TARGET_COLD_HELM_RATIO = 3.0  # cold `render -f` of case 02 within 3 times helm template's time
LINEAR_SLACK = 1.25  # a group may cost this much more among more groups than among fewer


# -- values ---------------------------------------------------------------------------------


def worker_group(index: int) -> dict[str, Any]:
    """One extra worker group, every key the chart reads spelled out."""
    name = f"group-{index:04d}"
    return {
        "disabled": False,
        "replicas": 2,
        "minReplicas": 1,
        "maxReplicas": 4,
        "labels": {"team": "data", "syntho.ai/group": name},
        "annotations": {"syntho.ai/pool": name},
        "rayStartParams": {"block": "true", "num-cpus": "4"},
        "initContainerImage": "busybox:1.28",
        "initContainerSecurityContext": {"runAsNonRoot": True, "runAsUser": 1000},
        "containerEnv": [
            {"name": "RAY_SCHEDULER_SPREAD_THRESHOLD", "value": "0.0"},
            {"name": "SYNTHO_GROUP", "value": name},
        ],
        # Empty: for a non-empty envFrom of an extra group the chart renders its whole
        # template context (KNOWN-DEFECTS.md, 1), which would not compare like with like.
        "envFrom": [],
        "ports": [{"containerPort": 8080, "name": "metrics"}],
        "resources": {
            "limits": {"cpu": "4", "memory": "16G"},
            "requests": {"cpu": "4", "memory": "16G"},
        },
        "nodeSelector": {"syntho.ai/pool": name},
        "tolerations": [{"key": "syntho.ai/ray", "operator": "Exists", "effect": "NoSchedule"}],
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": "syntho.ai/pool", "operator": "In", "values": [name]}
                            ]
                        }
                    ]
                }
            }
        },
        "securityContext": {"allowPrivilegeEscalation": False},
        "volumes": [{"name": "log-volume", "emptyDir": {}}],
        "volumeMounts": [{"mountPath": "/tmp/ray", "name": "log-volume"}],
        "sidecarContainers": [],
        "lifecycle": {"preStop": {"exec": {"command": ["ray", "stop"]}}},
    }


def scaled_values(groups: int) -> dict[str, Any]:
    """Values with `groups` extra worker groups, and the chart's `smallGroup` removed."""
    extra: dict[str, Any] = {f"group-{i:04d}": worker_group(i) for i in range(groups)}
    return {
        "SynthoLicense": "benchmark-license-key",
        "image": {"repository": "syntho.azurecr.io/syntho-ray", "tag": "2.5.0"},
        "additionalWorkerGroups": extra | {"smallGroup": None},
    }


def count_groups(text: str) -> int:
    """Worker groups in a rendered stream: each has one `groupName:` line."""
    return sum(1 for line in text.splitlines() if line.lstrip(" -").startswith("groupName:"))


# -- measuring ------------------------------------------------------------------------------


@dataclass
class Figure:
    """Wall times of one thing, in seconds, its CPU times (user and system), its peak memory."""

    name: str
    times: list[float] = field(default_factory=list)
    cpu_times: list[float] = field(default_factory=list)
    peak_kib: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu(self) -> float:
        """The median CPU time: on a busy machine, steadier than the wall time."""
        return statistics.median(self.cpu_times)


def timed(name: str, action: Callable[[], object], runs: int, warmup: int = 1) -> Figure:
    """`runs` calls of `action` in this process, after `warmup` calls that do not count.

    Each call starts from a collected heap, as a render in a fresh process would: otherwise
    the garbage of the calls before makes the collector's passes in the next one longer.
    """
    for _ in range(warmup):
        action()
    figure = Figure(name)
    for _ in range(runs):
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        action()
        figure.times.append(time.perf_counter() - start)
        figure.cpu_times.append(time.process_time() - cpu)
    return figure


def python_peak_kib(action: Callable[[], object]) -> float:
    """Peak of the Python allocations made during one call (tracemalloc), in KiB."""
    gc.collect()
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


Command = Callable[[], Sequence[str]]


# Runs one command in a process of its own and writes "seconds maxrss-KiB" to argv[1]. The
# command is forked from this small launcher: a child of the benchmark itself would report the
# benchmark's own resident memory as its peak, since Linux keeps the parent's at fork and exec.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as result:
    result.write(f"{elapsed!r} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime!r}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(command: Sequence[str], stdout: Path | None) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in KiB, CPU seconds) of one process, which must succeed."""
    with (
        open(stdout or os.devnull, "wb") as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", encoding="ascii") as result,
    ):
        launch = [sys.executable, "-I", "-S", "-c", _LAUNCHER, result.name, *command]
        code = subprocess.run(launch, stdout=out, stderr=err, check=False).returncode
        if code != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()
            raise RuntimeError(f"{' '.join(command)} exited {code}: {message}")
        elapsed, rss, cpu = result.read().split()
    return float(elapsed), float(rss), float(cpu)  # ru_maxrss is in KiB on Linux


def run_in_turn(
    commands: Sequence[tuple[Figure, Command, Path | None]], runs: int, *, warmup: bool = True
) -> list[Figure]:
    """Each command `runs` times, taking turns so that a drift of the machine hits all alike.

    With `warmup`, one round first fills the file and bytecode caches and does not count.
    """
    for _, command, stdout in commands if warmup else ():
        run_process(command(), stdout)
    peaks: dict[int, list[float]] = {}
    for _ in range(runs):
        for index, (figure, command, stdout) in enumerate(commands):
            elapsed, rss, cpu = run_process(command(), stdout)
            figure.times.append(elapsed)
            figure.cpu_times.append(cpu)
            peaks.setdefault(index, []).append(rss)
    for index, (figure, _, _) in enumerate(commands):
        figure.peak_kib = statistics.median(peaks[index])
    return [figure for figure, _, _ in commands]


# -- the two renderers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Helm:
    """A `helm` binary and the reference chart."""

    binary: str
    chart: Path
    version: str

    def template(self, values: Path, output_dir: Path | None = None) -> list[str]:
        """`helm template` as the reference renderings were made."""
        command = [self.binary, "template", RELEASE, str(self.chart), "--namespace", NAMESPACE]
        command += ["--values", str(values)]
        return [*command, "--output-dir", str(output_dir)] if output_dir else command


def find_helm(binary: str | None, chart: str | None) -> tuple[Helm | None, str]:
    """The Helm side, or None and the reason."""
    found = shutil.which(binary or "helm")
    if not found:
        return None, f"no helm binary: {binary or 'helm'} is not on PATH"
    if not chart:
        return None, "no chart: set SYNTHO_RAY_BENCH_CHART or --chart"
    if not (Path(chart) / "Chart.yaml").is_file():
        return None, f"no chart: {chart} has no Chart.yaml"
    version = subprocess.run(
        [found, "version", "--short"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return Helm(found, Path(chart), version or "unknown version"), ""


def with_bytecode(cache: Path) -> None:
    """New Python processes keep their compiled bytecode (in `cache`), as an installed package
    has it: with PYTHONDONTWRITEBYTECODE set (as in some development shells), every cold run
    would compile syntho-ray's modules from source again, which no user's run does."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(cache)


def syntho_ray_command(values: Path) -> list[str]:
    """`syntho-ray render -q -f FILE` of this environment (the YAML on stdout)."""
    script = Path(sys.executable).with_name("syntho-ray")
    base = [str(script)] if script.exists() else [sys.executable, "-m", "syntho_ray"]
    return [*base, "render", "-q", "-f", str(values)]


# -- the three benchmarks -------------------------------------------------------------------


@dataclass
class Cold:
    """One values file rendered by a new process: syntho-ray's figure and Helm's."""

    label: str
    groups: int | None  # extra worker groups, or None for the reference case
    ours: Figure
    helm: Figure | None


@dataclass
class Report:
    """Everything one run measured."""

    machine: dict[str, str]
    quick: bool
    runs: int
    render: list[Figure] = field(default_factory=list)
    scaling: list[tuple[int, Figure, Figure | None]] = field(default_factory=list)
    cold_floor: list[Figure] = field(default_factory=list)
    cold: list[Cold] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def bench_render(report: Report, helm: Helm | None, case: Path, runs: int) -> None:
    """The reference case: in process for syntho-ray, a process per render for Helm."""
    data = yaml.safe_load(case.read_text(encoding="utf-8")) or {}
    calls = max(20, 20 * runs)  # a render takes milliseconds: many calls for a stable median
    render = partial(syntho_ray.render_yaml, data)
    report.render.append(timed(f"`render_yaml`, {CASE} (in process)", render, calls, warmup=3))

    def from_file() -> str:  # what `syntho-ray render -f` does, without the process
        return syntho_ray.render_yaml(syntho_ray.load_values(ValuesInput(files=[str(case)])))

    report.render.append(timed(f"`load_values({CASE}.yaml)`, then `render_yaml`", from_file, calls))
    if helm:
        figure = Figure(f"`helm template`, {CASE} (a process)")
        report.render += run_in_turn(
            [(figure, partial(helm.template, case), None)], runs, warmup=not report.quick
        )


def bench_scaling(
    report: Report, helm: Helm | None, sizes: Sequence[int], runs: int, work: Path
) -> None:
    """1 to 4,000 worker groups: in process with syntho-ray, `helm template` with Helm."""
    for size in sizes:
        values = scaled_values(size)
        values_file = work / f"groups-{size}.yaml"
        values_file.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
        render = partial(syntho_ray.render_yaml, values)
        if (found := count_groups(render())) != size:
            raise RuntimeError(f"syntho-ray rendered {found} worker groups, not {size}")
        ours = timed(f"syntho-ray, {size} groups", render, runs, warmup=0)
        ours.peak_kib = python_peak_kib(render)
        theirs = None
        if helm and size <= HELM_IN_SCALING:
            rendered = work / f"helm-{size}.yaml"
            figure = Figure(f"helm, {size} groups")
            command = partial(helm.template, values_file)
            (theirs,) = run_in_turn([(figure, command, rendered)], runs, warmup=not report.quick)
            if (found := count_groups(rendered.read_text(encoding="utf-8"))) != size:
                raise RuntimeError(f"helm rendered {found} worker groups, not {size}")
        report.scaling.append((size, ours, theirs))


def bench_cold(
    report: Report,
    helm: Helm | None,
    inputs: Sequence[tuple[str, int | None, Path]],
    runs: int,
    work: Path,
) -> None:
    """New processes: the interpreter, the libraries, and each renderer on each values file."""
    python = sys.executable
    bare = Figure("`python -S -c pass` (the interpreter alone, no site-packages)")
    start = Figure("`python -c pass` (the interpreter's start, with site-packages)")
    libraries = Figure(f'`python -c "{FLOOR}"` (the libraries a render imports)')
    report.cold_floor = run_in_turn(
        [
            (bare, lambda: [python, "-S", "-c", "pass"], None),
            (start, lambda: [python, "-c", "pass"], None),
            (libraries, lambda: [python, "-c", FLOOR], None),
        ],
        runs,
        warmup=not report.quick,
    )
    for label, groups, values in inputs:
        ours = (Figure(f"`syntho-ray render -f`, {label}"), partial(syntho_ray_command, values))
        commands = [(*ours, work / "cold-ours.yaml")]
        if helm:
            theirs = (Figure(f"`helm template`, {label}"), partial(helm.template, values))
            commands.append((*theirs, work / "cold-helm.yaml"))
        figures = run_in_turn(commands, runs, warmup=not report.quick)
        for _, _, rendered in commands:
            found = count_groups(rendered.read_text(encoding="utf-8"))
            if groups is not None and found != groups:
                raise RuntimeError(f"{rendered.name}: {found} worker groups, not {groups}")
        report.cold.append(Cold(label, groups, figures[0], figures[1] if helm else None))


# -- the report -----------------------------------------------------------------------------


def machine(helm: Helm | None) -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = []
    for name in ("syntho-ray", "pydantic", "pydantic-core", "kubernetes", "PyYAML", "typer"):
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return {
        "CPU": f"{cpu}, {os.cpu_count()} logical CPUs",
        "System": f"{platform.system()} {platform.release()} {platform.machine()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "Packages": ", ".join(versions),
        "LibYAML": "yes" if getattr(yaml, "__with_libyaml__", False) else "no",
        "Helm": helm.version if helm else "not used",
        "Load average at the start (1, 5, 15 min)": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def duration(seconds: float) -> str:
    """`2.31 ms`, `412 ms`, `1.23 s`."""
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def memory(kib: float | None) -> str:
    """`12.3 MiB`."""
    return "-" if kib is None else f"{kib / 1024:.1f} MiB"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def markdown(report: Report) -> str:
    """The figures as Markdown tables, with the ratios and the targets."""
    mode = "quick mode: one run of each, small sizes" if report.quick else "full run"
    out = [f"# syntho-ray benchmarks ({mode}, medians of {report.runs} runs)", ""]
    out += [f"- {key}: {value}" for key, value in report.machine.items()]
    out += [f"- Note: {note}" for note in report.notes]
    if report.render:
        ours, helm = report.render[0], next((f for f in report.render if "helm" in f.name), None)
        out += [
            "",
            f"## Render of {CASE}",
            "",
            "| Render | Median | CPU | Runs |",
            "| --- | ---: | ---: | ---: |",
        ]
        out += [
            f"| {f.name} | {duration(f.median)} | {duration(f.cpu)} | {len(f.times)} |"
            for f in report.render
        ]
        out += [
            "",
            f"Target: in process at most {duration(TARGET_RENDER_S)}: "
            f"{duration(ours.median)}, {verdict(ours.median <= TARGET_RENDER_S)}"
            f" (CPU time {duration(ours.cpu)}).",
        ]
        if helm:
            out[-1] += f" `helm template` takes {helm.median / ours.median:.0f} times as long."
    if report.scaling:
        out += ["", "## Scaling with worker groups", ""]
        out += [
            "| Worker groups | syntho-ray, in process | per group | peak Python memory "
            "| `helm template` | Helm peak RSS | Helm / syntho-ray |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for size, ours, theirs in report.scaling:
            helm_cells = (
                [
                    duration(theirs.median),
                    memory(theirs.peak_kib),
                    f"{theirs.median / ours.median:.1f}",
                ]
                if theirs
                else ["-", "-", "-"]
            )
            cells = [f"{size:,}", duration(ours.median), duration(ours.median / size)]
            out.append("| " + " | ".join([*cells, memory(ours.peak_kib), *helm_cells]) + " |")
        by_size = {size: (ours, theirs) for size, ours, theirs in report.scaling}
        if 1000 in by_size and 4000 in by_size:
            growth = by_size[4000][0].median / by_size[1000][0].median
            out += [
                "",
                f"In process, 1,000 to 4,000 groups: the time grows x{growth:.1f} (x4: linear).",
            ]
        if 100 in by_size and 1000 in by_size:
            (ours100, helm100), (ours1000, helm1000) = by_size[100], by_size[1000]
            growth = ours1000.median / ours100.median
            helm_growth = (
                f" (Helm x{helm1000.median / helm100.median:.1f})" if helm100 and helm1000 else ""
            )
            out += [
                "",
                f"Target (issue 6): time growing linearly from 100 to 1,000 groups (x10; at most"
                f" x{10 * LINEAR_SLACK:.1f}, a group costing at most {LINEAR_SLACK} times as much):"
                f" x{growth:.1f}{helm_growth}, {verdict(growth <= 10 * LINEAR_SLACK)}.",
            ]
            if helm1000:
                faster = ours1000.median < helm1000.median
                out += [
                    f"Target (issue 6): 1,000 groups in process in less time than Helm:"
                    f" {duration(ours1000.median)}"
                    f" against {duration(helm1000.median)}, {verdict(faster)}."
                ]
    if report.cold:
        out += ["", "## Cold command line", "", *cold_markdown(report)]
    return "\n".join(out) + "\n"


def cold_markdown(report: Report) -> list[str]:
    """New processes: the floor, each values file side by side, and the targets of issue 14."""
    out = ["| Command | Median | CPU | Peak RSS |", "| --- | ---: | ---: | ---: |"]
    out += [
        f"| {f.name} | {duration(f.median)} | {duration(f.cpu)} | {memory(f.peak_kib)} |"
        for f in report.cold_floor
    ]
    out += [
        "",
        "| Values file | `syntho-ray render -f` | CPU | peak RSS | `helm template` | CPU "
        "| Helm peak RSS | syntho-ray / Helm (CPU) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cold in report.cold:
        ours, theirs = cold.ours, cold.helm
        cells = [cold.label, duration(ours.median), duration(ours.cpu), memory(ours.peak_kib)]
        cells += (
            [
                duration(theirs.median),
                duration(theirs.cpu),
                memory(theirs.peak_kib),
                f"{ours.median / theirs.median:.2f} ({ours.cpu / theirs.cpu:.2f})",
            ]
            if theirs
            else ["-", "-", "-", "-"]
        )
        out.append("| " + " | ".join(cells) + " |")
    return [*out, "", *cold_targets(report.cold)]


def cold_targets(colds: Sequence[Cold]) -> list[str]:
    """The targets of issue 14 for new processes, from the figures there are."""
    out: list[str] = []
    case = next((c for c in colds if c.groups is None), None)
    if case and case.helm:
        ratio = case.ours.median / case.helm.median
        met = verdict(ratio <= TARGET_COLD_HELM_RATIO)
        out.append(
            f"Target: cold `render -f {CASE}.yaml` within {TARGET_COLD_HELM_RATIO:.0f} times"
            f" `helm template`'s time: {ratio:.2f} times, {met}"
            f" (CPU time: {case.ours.cpu / case.helm.cpu:.2f} times)."
        )
    sized = sorted((c for c in colds if c.groups), key=lambda c: c.groups or 0)
    for cold in sized[:1]:
        if cold.helm:
            faster = cold.ours.median < cold.helm.median
            out.append(
                f"Target: cold render of {cold.label} faster than `helm template`:"
                f" {duration(cold.ours.median)} against {duration(cold.helm.median)},"
                f" {verdict(faster)} (CPU time: {duration(cold.ours.cpu)} against"
                f" {duration(cold.helm.cpu)})."
            )
    for small, large in pairwise(sized):
        scale = (large.groups or 0) / (small.groups or 1)
        growth = large.ours.median / small.ours.median
        helm_growth = (
            f" (Helm x{large.helm.median / small.helm.median:.1f})"
            if large.helm and small.helm
            else ""
        )
        out.append(
            f"Target: {large.label} linear from {small.label} (x{scale:.0f}; here at most"
            f" x{scale * LINEAR_SLACK:.1f}): x{growth:.1f}{helm_growth},"
            f" {verdict(growth <= scale * LINEAR_SLACK)}."
        )
    return out


def as_json(report: Report) -> dict[str, Any]:
    """The raw figures, for comparing runs."""

    def figure(f: Figure | None) -> dict[str, Any] | None:
        return (
            None
            if f is None
            else {
                "name": f.name,
                "median_s": f.median,
                "times_s": f.times,
                "cpu_s": f.cpu_times,
                "peak_kib": f.peak_kib,
            }
        )

    return {
        "machine": report.machine,
        "quick": report.quick,
        "runs": report.runs,
        "notes": report.notes,
        "render": [figure(f) for f in report.render],
        "scaling": [
            {"groups": n, "syntho_ray": figure(o), "helm": figure(h)} for n, o, h in report.scaling
        ],
        "cold_floor": [figure(f) for f in report.cold_floor],
        "cold": [
            {
                "values": c.label,
                "groups": c.groups,
                "syntho_ray": figure(c.ours),
                "helm": figure(c.helm),
            }
            for c in report.cold
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run of each, small sizes")
    parser.add_argument("--runs", type=int, help="runs per figure (default 7, quick 1)")
    parser.add_argument(
        "--helm",
        default=os.environ.get("SYNTHO_RAY_BENCH_HELM"),
        help="helm binary (default $SYNTHO_RAY_BENCH_HELM, else helm on PATH)",
    )
    parser.add_argument(
        "--chart",
        default=os.environ.get("SYNTHO_RAY_BENCH_CHART"),
        help="the reference chart's directory (default $SYNTHO_RAY_BENCH_CHART)",
    )
    parser.add_argument(
        "--cold", action="store_true", help="only the cold command line (new processes)"
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    runs = args.runs or (1 if args.quick else 7)
    sizes = QUICK_SIZES if args.quick else SIZES
    helm, why_not = find_helm(args.helm, args.chart)
    report = Report(machine(helm), args.quick, runs)
    if why_not:
        report.notes.append(f"Helm side skipped: {why_not}.")
    case = CASES / f"{CASE}.yaml"
    with tempfile.TemporaryDirectory(prefix="syntho-ray-bench-") as scratch:
        work = Path(scratch)
        with_bytecode(work / "bytecode")
        cold_inputs: list[tuple[str, int | None, Path]] = []
        if case.is_file():
            if not args.cold:
                bench_render(report, helm, case, runs)
            cold_inputs.append((CASE, None, case))
        else:
            report.notes.append(
                f"{case} not found (set SYNTHO_RAY_BENCH_CASES): no {CASE} figures."
            )
        if not args.cold:
            bench_scaling(report, helm, sizes, runs, work)
        for size in QUICK_COLD_SIZES if args.quick else COLD_SIZES:
            values_file = work / f"cold-groups-{size}.yaml"
            values_file.write_text(yaml.safe_dump(scaled_values(size), sort_keys=False), "utf-8")
            cold_inputs.append((f"{size:,} groups", size, values_file))
        bench_cold(report, helm, cold_inputs, runs, work)
    text = markdown(report)
    sys.stdout.write(text)
    if args.json:
        args.json.write_text(json.dumps(as_json(report), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
