"""Fixtures of the end-to-end tests: one real control plane per session, a namespace per release.

Reuse from any test under tests/e2e/:

- `control_plane` (session): a `controlplane.ControlPlane` (etcd, kube-apiserver,
  kube-controller-manager, kube-scheduler, kwok nodes). `.api` is an admin client
  (`kubeapi.Api`), `.kubeconfig` a kubeconfig file for the CLI and kubectl.
- `cluster`: the same control plane with the KubeRay CRDs of the `chart`'s operator release,
  applied server-side from the operator module's own config/crd (`ControlPlane.use_crds`).
- `chart` (parametrised by generation): a `Chart`, what one chart generation needs: the extra
  CLI arguments, its reference folder, the KubeRay operator release that runs it.
- `release`: a fresh namespace ready for a release (the pull Secret, volumes for its two claims),
  with `cli(...)` to run `python -m syntho_ray` against the control plane, `values` (a values
  file with the license and the test StorageClass), and `start_operator()`, which runs the
  operator of the live Deployment and fails the test on the operator's errors at teardown.

Without Go the tests skip, saying so; in CI (CI=true) with Go but unbuilt components they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import build
import pytest
from controlplane import STORAGE_CLASS, ControlPlane
from kubeapi import Api
from operator_process import Operator

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
LICENSE = "SYNTHO-LIC-e2e-4d1f"
BASE = f"SynthoLicense: {LICENSE}\nstorage:\n  storageClassName: {STORAGE_CLASS}\n"
STARTED: dict[str, str] = {}  # component -> version, for the summary


@dataclass(frozen=True)
class Chart:
    """One chart generation as the tests drive it."""

    name: str  # 1.13 (the guide's) or 1.14
    args: tuple[str, ...]  # what the CLI needs to render this generation
    reference: Path  # its reference folder in ../shared
    operator: str  # the KubeRay operator release that runs it here (see README.md)
    values: str  # a values file in this generation's layout: license, StorageClass, one worker
    replicas: str  # the key of the default worker group's replicas
    rbac: str  # the key that turns the operator's RBAC off

    @property
    def rayclusters(self) -> str:
        """The RayCluster collection path's prefix (up to the namespace) this release serves."""
        version = "v1alpha1" if self.operator.startswith("0.") else "v1"
        return f"/apis/ray.io/{version}/namespaces"


CHARTS = {
    "1.13": Chart(
        "1.13",
        (),
        SHARED / "reference",
        "0.5.0",
        BASE + "worker:\n  disabled: false\n  replicas: 1\n",
        "worker.replicas",
        "rbacEnable",
    ),
    "1.14": Chart(
        "1.14",
        ("--chart", "1.14"),
        SHARED / "reference" / "chart-1.14",
        "1.2.2",
        BASE + "ray-cluster:\n  worker:\n    disabled: false\n    replicas: 1\n",
        "ray-cluster.worker.replicas",
        "kuberay-operator.rbacEnable",
    ),
}


# Both generations by default; SYNTHO_RAY_E2E_CHARTS=1.13 (or 1.14) narrows a run to one.
DEFAULT_GENERATIONS = "1.13,1.14"


@cache
def chart_generations() -> list[str]:
    """The generations to test: those asked for that the CLI can render (1.14 needs --chart)."""
    asked = os.environ.get("SYNTHO_RAY_E2E_CHARTS", DEFAULT_GENERATIONS).split(",")
    out = subprocess.run(
        [sys.executable, "-m", "syntho_ray", "render", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    known = ["1.13", "1.14"] if "--chart" in out.stdout else ["1.13"]
    return [name for name in known if name in asked]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "chart" in metafunc.fixturenames:
        names = chart_generations()
        metafunc.parametrize("chart", [CHARTS[n] for n in names], ids=names, scope="session")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STARTED:
        terminalreporter.section("end-to-end components started")
        for name, version in STARTED.items():
            terminalreporter.write_line(f"{name}: {version}")


def _unavailable() -> str | None:
    if build.go_binary() is None:
        return "Go is not installed: the end-to-end components cannot be built"
    missing = [c.name for c in build.COMPONENTS if not build.is_built(c)]
    if missing:
        return f"not built: {', '.join(missing)}; run `python tests/e2e/build.py` (or make e2e)"
    return None


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    reason = _unavailable()
    if reason:
        if os.environ.get("CI") and build.go_binary():
            pytest.fail(reason)
        pytest.skip(reason)
    plane = ControlPlane.start(tmp_path_factory.mktemp("control-plane"))
    try:
        STARTED.update(plane.versions)
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="module")
def cluster(control_plane: ControlPlane, chart: Chart) -> ControlPlane:
    """The control plane with the CRDs of the chart generation's KubeRay operator."""
    control_plane.use_crds(chart.operator)
    return control_plane


def kubectl(plane: ControlPlane, *args: str) -> subprocess.CompletedProcess[str]:
    return plane.kubectl(*args)


@dataclass
class Release:
    """A namespace for one release of one chart generation, and the means to drive it."""

    plane: ControlPlane
    chart: Chart
    namespace: str
    folder: Path
    values: Path
    operators: list[Operator] = field(default_factory=list)

    @property
    def api(self) -> Api:
        return self.plane.api

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`python -m syntho_ray COMMAND ...` for this release (-n, the chart, the kubeconfig)."""
        command, *rest = args
        cluster = [] if command == "render" else ["--kubeconfig", str(self.plane.kubeconfig)]
        argv = [sys.executable, "-m", "syntho_ray", command, *self.chart.args]
        argv += ["-n", self.namespace, *cluster, *rest]
        out = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
        )
        assert LICENSE not in out.stdout + out.stderr
        return out

    def start_operator(self, deployment: str = "kuberay-operator") -> Operator:
        """Run the KubeRay operator of the live Deployment, as its ServiceAccount."""
        version = self.chart.operator
        binary = build.binaries()[f"kuberay-operator-{version}"]
        operator = Operator.start(
            self.api, binary, version, self.namespace, deployment, self.folder
        )
        self.operators.append(operator)
        STARTED[f"kuberay-operator (chart {self.chart.name})"] = (
            f"v{version} ({build.KUBERAY_MODULE}@v{version})"
        )
        return operator

    def operator_problems(self) -> list[str]:
        return [line for operator in self.operators for line in operator.problems()]

    def stop_operators(self) -> None:
        for operator in self.operators:
            operator.stop()


def new_release(plane: ControlPlane, chart: Chart, folder: Path, namespace: str = "") -> Release:
    """A namespace ready for a release, and a values file with the license and StorageClass."""
    namespace = namespace or f"e2e-{uuid.uuid4().hex[:8]}"
    plane.prepare_namespace(namespace)
    values = folder / "values.yaml"
    values.write_text(chart.values)
    values.chmod(0o600)
    return Release(plane, chart, namespace, folder, values)


def delete_namespace(plane: ControlPlane, namespace: str) -> None:
    plane.delete_namespace(namespace)
