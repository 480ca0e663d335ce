"""The release's life cycle through the real CLI, on the real control plane, per chart generation.

One release per chart generation, driven in order: apply --wait (the KubeRay operator, run as
deployed, reconciles the RayCluster; kwok runs its pods), status, diff, a change, RBAC off,
delete. After each step the operator's log must show no errors.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Chart, Release, delete_namespace, new_release
from controlplane import NODES, ControlPlane

DEPLOYMENT = "kuberay-operator"
CLUSTER = "ray-cluster"


def rayclusters(release: Release) -> str:
    return f"{release.chart.rayclusters}/{release.namespace}/rayclusters"


def pods(release: Release) -> list[dict[str, Any]]:
    listing = release.api.request("GET", f"/api/v1/namespaces/{release.namespace}/pods")
    return [p for p in listing["items"] if "deletionTimestamp" not in p["metadata"]]


def ray_pods(release: Release) -> list[dict[str, Any]]:
    return [p for p in pods(release) if "ray.io/node-type" in p["metadata"].get("labels", {})]


def wait_for(what: str, check: Any, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def assert_ok(out: subprocess.CompletedProcess[str], code: int = 0) -> None:
    assert out.returncode == code, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"


def apply_wait_with_operator(release: Release, *args: str) -> subprocess.CompletedProcess[str]:
    """`apply --wait` while the operator starts from the Deployment that apply creates."""
    argv = ["apply", "-f", str(release.values), "--wait", "--timeout", "5m", *args]
    runner = _Background(release, argv)
    path = f"/apis/apps/v1/namespaces/{release.namespace}/deployments/{DEPLOYMENT}"
    wait_for("the operator Deployment", lambda: release.api.get(path) or runner.finished())
    if not release.operators:
        release.start_operator()
    return runner.result()


class _Background:
    """The CLI run in a thread, so the test can act while it waits."""

    def __init__(self, release: Release, argv: list[str]) -> None:
        self.out: subprocess.CompletedProcess[str] | None = None
        self.thread = threading.Thread(target=self._run, args=(release, argv), daemon=True)
        self.thread.start()

    def _run(self, release: Release, argv: list[str]) -> None:
        self.out = release.cli(*argv, timeout=400)

    def finished(self) -> bool:
        return not self.thread.is_alive()

    def result(self) -> subprocess.CompletedProcess[str]:
        self.thread.join(timeout=420)
        assert self.out is not None, "the CLI did not finish"
        return self.out


@pytest.fixture(scope="module")
def deployed(
    cluster: ControlPlane, chart: Chart, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Release, subprocess.CompletedProcess[str]]]:
    """The release applied with --wait, its operator running."""
    release = new_release(cluster, chart, tmp_path_factory.mktemp(f"flow-{chart.name}"))
    try:
        yield release, apply_wait_with_operator(release)
    finally:
        release.stop_operators()
        delete_namespace(cluster, release.namespace)


@pytest.fixture
def release(deployed: tuple[Release, Any]) -> Iterator[Release]:
    """The deployed release; the test fails if its operator logged errors meanwhile."""
    yield deployed[0]
    assert deployed[0].operator_problems() == []


def test_apply_wait_reaches_ready_and_prints_ray_address(
    deployed: tuple[Release, subprocess.CompletedProcess[str]],
) -> None:
    release, out = deployed
    assert_ok(out)
    assert f"ray://{CLUSTER}-head-svc.{release.namespace}.svc.cluster.local:10001" in out.stdout
    cluster = release.api.request("GET", f"{rayclusters(release)}/{CLUSTER}")
    assert cluster["status"]["state"] == "ready"
    running = ray_pods(release)
    kinds = sorted(p["metadata"]["labels"]["ray.io/node-type"] for p in running)
    assert kinds == ["head", "worker"]
    assert {p["spec"]["nodeName"] for p in running} <= set(NODES)
    assert all(p["status"]["phase"] == "Running" for p in running)
    assert release.operator_problems() == []


def test_status_shows_head_and_workers(release: Release) -> None:
    out = release.cli("status", "-f", str(release.values))
    assert_ok(out)
    assert "head" in out.stdout and "worker" in out.stdout, out.stdout
    assert "ready" in out.stdout, out.stdout


def test_diff_of_the_applied_values_is_empty(release: Release) -> None:
    assert_ok(release.cli("diff", "-f", str(release.values)))


def test_a_change_shows_in_diff_then_apply_converges(release: Release) -> None:
    more = ("--set", f"{release.chart.replicas}=2")
    changed = release.cli("diff", "-f", str(release.values), *more)
    assert_ok(changed, 1)
    assert "replicas" in changed.stdout
    assert_ok(release.cli("apply", "-f", str(release.values), *more, "--wait", "--timeout", "3m"))
    assert_ok(release.cli("diff", "-f", str(release.values), *more))
    wait_for("two workers", lambda: len(ray_pods(release)) == 3)
    assert_ok(release.cli("apply", "-f", str(release.values), "--wait", "--timeout", "3m"))
    assert_ok(release.cli("diff", "-f", str(release.values)))
    wait_for("one worker again", lambda: len(ray_pods(release)) == 2)


def test_rbac_disabled_prunes_the_roles(release: Release) -> None:
    release.stop_operators()  # without its Role the operator would rightly log refusals
    assert release.operator_problems() == []
    out = release.cli("apply", "-f", str(release.values), "--set", f"{release.chart.rbac}=false")
    assert_ok(out)
    ns = release.namespace
    for kind in ("roles", "rolebindings"):
        listing = release.api.request(
            "GET", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/{kind}"
        )
        names = [i["metadata"]["name"] for i in listing["items"]]
        assert names == [], f"{kind} left after rbacEnable=false: {names}"
    assert_ok(
        release.cli("diff", "-f", str(release.values), "--set", f"{release.chart.rbac}=false")
    )


def test_delete_keeps_the_claims(release: Release) -> None:
    assert_ok(release.cli("delete", "-f", str(release.values), "--yes"))
    ns = release.namespace
    assert release.api.get(f"{rayclusters(release)}/{CLUSTER}") is None
    assert release.api.get(f"/apis/apps/v1/namespaces/{ns}/deployments/{DEPLOYMENT}") is None
    claims = release.api.request("GET", f"/api/v1/namespaces/{ns}/persistentvolumeclaims")
    names = sorted(c["metadata"]["name"] for c in claims["items"])
    assert names == ["ray-data-claim", "ray-workflows-claim"]
    assert all(c["status"]["phase"] == "Bound" for c in claims["items"])
