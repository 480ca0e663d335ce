"""syntho-ray apply against kubectl, side by side on the same real control plane.

    python tests/e2e/build.py && python benchmarks/cluster.py [--runs 5] [--chart 1.13] [--split]

The control plane of the end-to-end tests (tests/e2e: etcd, kube-apiserver, controller-manager,
scheduler, kwok nodes; the KubeRay operator run as deployed) is started once. Each run uses a
fresh namespace per tool, and reports the median of:

1. **to applied**: `syntho-ray apply -f values.yaml` (render included) against
   `kubectl apply --server-side -k DIR` of the same render (`render -o DIR` done beforehand,
   not timed);
2. **to ready**: `syntho-ray apply --wait` against `kubectl apply --server-side -k DIR` followed
   by `kubectl wait` for the operator Deployment and the RayCluster's `status.state`; in both,
   the operator process starts as soon as its Deployment exists;
3. **no change**: the same command again on the applied namespace.

The control plane is busiest just after an apply (the Deployment's pods being made), so the
two tools take turns going first: syntho-ray in odd runs, kubectl in even ones.

With `--split`, one run of each instead, traced: where syntho-ray's time goes, step by step
with its requests (`benchmarks/split.py`), and kubectl's time and requests (`-v=6`).

Times are reported, never judged.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

import build  # noqa: E402
import split  # noqa: E402
from controlplane import STORAGE_CLASS, ControlPlane  # noqa: E402
from operator_process import Operator  # noqa: E402

OPERATOR = {"1.13": "0.5.0", "1.14": "1.2.2"}
BASE = f"SynthoLicense: bench-license\nstorage:\n  storageClassName: {STORAGE_CLASS}\n"
VALUES = {  # one worker, in each generation's layout (1.14's worker group is off by default)
    "1.13": BASE + "worker:\n  disabled: false\n  replicas: 1\n",
    "1.14": BASE + "ray-cluster:\n  worker:\n    disabled: false\n    replicas: 1\n",
}


def run(argv: list[str]) -> None:
    """Run a command; if it fails, stop the benchmark with what it printed."""
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        words = " ".join(argv[1:5])
        raise SystemExit(f"{words} ... exited {out.returncode}:\n{out.stdout}\n{out.stderr}")


class Bench:
    """The control plane, a work folder and the chart generation under test."""

    def __init__(self, plane: ControlPlane, folder: Path, chart: str) -> None:
        self.plane, self.folder, self.chart = plane, folder, chart
        self.values = folder / "values.yaml"
        self.values.write_text(VALUES[chart])
        self.chart_args = [] if chart == "1.13" else ["--chart", chart]
        self.operators: list[Operator] = []

    def syntho_ray(self, namespace: str, command: str, *args: str) -> None:
        argv = [
            sys.executable,
            "-m",
            "syntho_ray",
            command,
            *self.chart_args,
            "-n",
            namespace,
            "--kubeconfig",
            str(self.plane.kubeconfig),
            "-f",
            str(self.values),
            *args,
        ]
        run(argv)

    def render(self, namespace: str) -> Path:
        folder = self.folder / f"render-{namespace}"
        argv = [
            sys.executable,
            "-m",
            "syntho_ray",
            "render",
            *self.chart_args,
            "-n",
            namespace,
            "-f",
            str(self.values),
            "-o",
            str(folder),
            "-q",
        ]
        run(argv)
        return folder

    def namespace(self) -> str:
        name = f"bench-{uuid.uuid4().hex[:8]}"
        self.plane.prepare_namespace(name)
        return name

    def operator_when_deployed(self, namespace: str) -> threading.Thread:
        """Start the operator as soon as its Deployment exists (in the background)."""
        path = f"/apis/apps/v1/namespaces/{namespace}/deployments/kuberay-operator"

        def start() -> None:
            while self.plane.api.get(path) is None:
                time.sleep(0.05)
            binary = build.binaries()[f"kuberay-operator-{OPERATOR[self.chart]}"]
            self.operators.append(
                Operator.start(
                    self.plane.api,
                    binary,
                    OPERATOR[self.chart],
                    namespace,
                    "kuberay-operator",
                    self.folder,
                )
            )

        thread = threading.Thread(target=start, daemon=True)
        thread.start()
        return thread

    def kubectl_ready(self, namespace: str, folder: Path) -> None:
        self.plane.kubectl("apply", "--server-side", "-k", str(folder))
        self.plane.kubectl(
            "-n",
            namespace,
            "wait",
            "--for=condition=Available",
            "--timeout=5m",
            "deployment/kuberay-operator",
        )
        self.plane.kubectl(
            "-n",
            namespace,
            "wait",
            "--for=jsonpath={.status.state}=ready",
            "--timeout=5m",
            "raycluster/ray-cluster",
        )

    def traced(self, namespace: str, *args: str) -> list[tuple[str, float, int]]:
        """`syntho-ray apply` under `benchmarks/split.py`: (step, seconds, requests) in order,
        from the interpreter's start to the process's end."""
        out = self.folder / "split.json"
        argv = [sys.executable, str(ROOT / "benchmarks" / "split.py"), str(out), "apply"]
        argv += [*self.chart_args, "-n", namespace, "--kubeconfig", str(self.plane.kubeconfig)]
        began = time.time()
        run([*argv, "-f", str(self.values), *args])
        ended = time.time()
        data = json.loads(out.read_text())
        steps = [(str(n), float(t), int(c)) for n, t, c in data["steps"]]
        rest = data["ended"] - data["started"] - sum(t for _, t, _ in steps)
        return [
            ("interpreter start", data["started"] - began, 0),
            *steps,
            ("command line (parsing, output)", rest, 0),
            ("exit", ended - data["ended"], 0),
        ]

    def kubectl_traced(self, *args: str) -> tuple[float, dict[str, int]]:
        """kubectl with `-v=6`: its seconds and its requests."""
        began = time.perf_counter()
        out = self.plane.kubectl("-v=6", *args)
        return time.perf_counter() - began, dict(split.kubectl_requests(out.stderr))

    def stop(self) -> None:
        for operator in self.operators:
            operator.stop()


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def pair(
    ours: Callable[[], object], theirs: Callable[[], object], flip: bool
) -> tuple[float, float]:
    """(syntho-ray seconds, kubectl seconds), kubectl first when `flip`: the control plane is
    busiest right after an apply (new pods), so the runs take turns going first."""
    if flip:
        later = timed(theirs)
        return timed(ours), later
    first = timed(ours)
    return first, timed(theirs)


def one_run(bench: Bench, flip: bool = False) -> dict[str, tuple[float, float]]:
    """(syntho-ray seconds, kubectl seconds) for each measure, in fresh namespaces."""
    a, b = bench.namespace(), bench.namespace()
    folder = bench.render(b)
    apply_b = ("apply", "--server-side", "-k", str(folder))
    applied = pair(
        lambda: bench.syntho_ray(a, "apply"), lambda: bench.plane.kubectl(*apply_b), flip
    )
    again = pair(lambda: bench.syntho_ray(a, "apply"), lambda: bench.plane.kubectl(*apply_b), flip)
    c, d = bench.namespace(), bench.namespace()
    folder = bench.render(d)
    bench.operator_when_deployed(c)
    bench.operator_when_deployed(d)
    ready = pair(
        lambda: bench.syntho_ray(c, "apply", "--wait", "--timeout", "5m"),
        lambda: bench.kubectl_ready(d, folder),
        flip,
    )
    bench.stop()
    bench.operators.clear()
    for namespace in (a, b, c, d):
        bench.plane.api.request("DELETE", f"/api/v1/namespaces/{namespace}")
    return {"to applied": applied, "no change": again, "to ready": ready}


def split_run(bench: Bench) -> None:
    """One traced run of each measure, in fresh namespaces: where syntho-ray's time goes, and
    kubectl's time and requests for the same."""
    a, b = bench.namespace(), bench.namespace()
    folder = bench.render(b)
    kustomize = ("apply", "--server-side", "-k", str(folder))
    for measure in ("to applied", "no change"):
        show(measure, bench.traced(a), [bench.kubectl_traced(*kustomize)])
    c, d = bench.namespace(), bench.namespace()
    folder = bench.render(d)
    bench.operator_when_deployed(c)
    ours = bench.traced(c, "--wait", "--timeout", "5m")
    bench.operator_when_deployed(d)
    theirs = [bench.kubectl_traced("apply", "--server-side", "-k", str(folder))]
    for what in ("condition=Available deployment/kuberay-operator", WAIT_RAYCLUSTER):
        condition, target = what.split()
        wait = ("-n", d, "wait", f"--for={condition}", "--timeout=5m", target)
        theirs.append(bench.kubectl_traced(*wait))
    show("to ready", ours, theirs)
    bench.stop()
    for namespace in (a, b, c, d):
        bench.plane.api.request("DELETE", f"/api/v1/namespaces/{namespace}")


WAIT_RAYCLUSTER = "jsonpath={.status.state}=ready raycluster/ray-cluster"


def show(
    measure: str, ours: list[tuple[str, float, int]], theirs: list[tuple[float, dict[str, int]]]
) -> None:
    total = sum(t for _, t, _ in ours)
    print(f"\n{measure}: syntho-ray {total:.2f} s, {sum(c for *_, c in ours)} requests")
    print("| step | seconds | requests |\n| --- | ---: | ---: |")
    for name, seconds, count in ours:
        print(f"| {name} | {seconds:.3f} | {count or ''} |")
    requests = Counter[str]()
    for _, found in theirs:
        requests.update(found)
    listed = ", ".join(f"{n} {what}" for what, n in sorted(requests.items()))
    print(f"kubectl: {sum(t for t, _ in theirs):.2f} s in {len(theirs)} command(s); {listed}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chart", choices=sorted(OPERATOR), default="1.13")
    parser.add_argument("--split", action="store_true", help="one traced run: where time goes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="syntho-ray-bench-") as tmp:
        plane = ControlPlane.start(Path(tmp) / "plane")
        try:
            plane.use_crds(OPERATOR[args.chart])
            bench = Bench(plane, Path(tmp), args.chart)
            if args.split:
                split_run(bench)
                return 0
            runs = [one_run(bench, flip=i % 2 == 1) for i in range(args.runs)]
        finally:
            plane.stop()
    print(f"components: {', '.join(f'{k} {v}' for k, v in plane.versions.items())}")
    print(f"chart {args.chart}, KubeRay operator {OPERATOR[args.chart]}, {args.runs} runs, median")
    print("| measure | syntho-ray | kubectl | ratio |\n| --- | ---: | ---: | ---: |")
    for measure in ("to applied", "no change", "to ready"):
        ours = statistics.median(r[measure][0] for r in runs)
        theirs = statistics.median(r[measure][1] for r in runs)
        print(f"| {measure} | {ours:.2f} s | {theirs:.2f} s | {ours / theirs:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
