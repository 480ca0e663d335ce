"""`apply --wait`: status changes over time, dropped and expired watches, timeouts, display."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from support.cluster_setup import run, values_file
from support.kube_emulator import Emulator

from syntho_ray.cluster.display import LiveDisplay
from syntho_ray.cluster.refs import Ref
from syntho_ray.cluster.wait import Readiness, deployment_readiness, raycluster_readiness

ADDRESS = "ray_address: ray://ray-cluster-head-svc.syntho.svc.cluster.local:10001"
AVAILABLE = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}


def controllers(
    emu: Emulator, *, ray_state: str = "ready", delay: float = 0.15
) -> threading.Thread:
    """The operator and KubeRay, late: statuses change a little after the apply."""

    def act() -> None:
        deadline = time.monotonic() + 10
        while (
            emu.get("RayCluster", "syntho", "ray-cluster") is None and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        while not _watching(emu) and time.monotonic() < deadline:
            time.sleep(0.02)  # the statuses change only once the wait follows them
        time.sleep(delay)
        emu.set_status(
            "Deployment",
            "syntho",
            "kuberay-operator",
            {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1},
        )
        emu.set_status("RayCluster", "syntho", "ray-cluster", {"state": "unhealthy"})
        time.sleep(delay)
        emu.set_status("Deployment", "syntho", "kuberay-operator", AVAILABLE)
        emu.set_status("RayCluster", "syntho", "ray-cluster", {"state": ray_state})

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread


def _watching(emu: Emulator) -> bool:
    """Whether the wait has opened a watch yet."""
    return any("watch" in r.params for r in emu.requests("GET"))


def test_wait_follows_status_changes_and_prints_the_ray_address(
    emu: Emulator, tmp_path: Path
) -> None:
    thread = controllers(emu)
    result = run(emu, "apply", "-f", str(values_file(tmp_path)), "--wait", "--timeout", "20s")
    thread.join()
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(ADDRESS)
    assert "waiting Deployment kuberay-operator: 0/1 available" in result.stderr
    assert "ready   RayCluster ray-cluster: state ready" in result.stderr
    assert "\x1b[" not in result.stderr  # not a terminal: plain lines
    watches = emu.requests("GET", "/(deployments|rayclusters)$")
    assert any("watch" in r.params for r in watches)


def test_a_dropped_watch_resumes_and_an_expired_one_starts_afresh(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.drop_watches(1, 1)
    thread = controllers(emu)
    result = run(emu, "apply", "-f", str(values_file(tmp_path)), "--wait", "--timeout", "20s")
    thread.join()
    assert result.exit_code == 0, result.output
    versions = [r.params.get("resourceVersion") for r in emu.requests("GET") if "watch" in r.params]
    assert len(versions) >= 2 and int(versions[1]) > int(versions[0])  # resumed where it was

    emu.compact()
    again = run(emu, "apply", "-f", str(values_file(tmp_path)), "--wait", "--timeout", "5s")
    assert again.exit_code == 0, again.output


def test_a_timeout_says_what_is_not_ready_and_why(emu: Emulator, tmp_path: Path) -> None:
    emu.put(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": "ray-cluster-head-x",
                "namespace": "syntho",
                "labels": {"ray.io/cluster": "ray-cluster", "ray.io/node-type": "head"},
            },
            "status": {
                "phase": "Pending",
                "containerStatuses": [
                    {
                        "name": "ray-head",
                        "state": {
                            "waiting": {
                                "reason": "ImagePullBackOff",
                                "message": "pull access denied",
                            }
                        },
                    }
                ],
            },
        }
    )
    emu.put(
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "e1", "namespace": "syntho"},
            "type": "Warning",
            "reason": "Failed",
            "message": "Failed to pull image",
            "lastTimestamp": "2024-01-01T00:00:00Z",
            "involvedObject": {"kind": "Pod", "name": "ray-cluster-head-x"},
        }
    )
    thread = controllers(emu, ray_state="unhealthy", delay=0.01)
    result = run(emu, "apply", "-f", str(values_file(tmp_path)), "--wait", "--timeout", "1s")
    thread.join()
    assert result.exit_code == 1
    err = result.stderr
    assert "error: timed out after 1s waiting for the release to be ready" in err
    assert "error: not ready: RayCluster syntho/ray-cluster: state unhealthy" in err
    assert (
        "error: pod ray-cluster-head-x: Pending; "
        "ray-head waiting: ImagePullBackOff (pull access denied)" in err
    )
    assert "error: event Pod ray-cluster-head-x: Warning Failed: Failed to pull image" in err


def test_readiness_is_judged_like_kubectl_and_kuberay() -> None:
    ref = Ref("Deployment", "ns", "op")
    deployment = {"metadata": {"generation": 2}, "spec": {"replicas": 2}, "status": AVAILABLE}
    assert deployment_readiness(ref, deployment).detail == "rollout not observed yet"
    deployment["status"] = {
        **AVAILABLE,
        "observedGeneration": 2,
        "updatedReplicas": 2,
        "replicas": 2,
    }
    assert deployment_readiness(ref, deployment).detail == "1/2 available"
    assert not deployment_readiness(ref, None).ready
    cluster = {
        "status": {"state": "ready", "desiredWorkerReplicas": 2, "availableWorkerReplicas": 2}
    }
    assert raycluster_readiness(Ref("RayCluster", "ns", "c"), cluster).ready


def test_the_display_redraws_on_a_terminal_and_prints_changes_otherwise() -> None:
    ref = Ref("RayCluster", "ns", "c")
    states = [Readiness(ref, False, "state unhealthy"), Readiness(ref, True, "state ready")]
    plain, live = io.StringIO(), io.StringIO()
    display = LiveDisplay(plain, live=False)
    terminal = LiveDisplay(live, live=True)
    for state in [states[0], states[0], states[1]]:
        display([state])
        terminal([state])
    assert plain.getvalue().splitlines() == [states[0].line(), states[1].line()]
    assert live.getvalue().count("\x1b[1F\x1b[J") == 2
