"""`diff`, `status` and `delete` against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cluster_setup import run, values_file
from support.kube_emulator import Emulator


@pytest.fixture
def values(tmp_path: Path) -> Path:
    return values_file(tmp_path)


def test_diff_is_empty_after_apply_and_shows_each_change(emu: Emulator, values: Path) -> None:
    fresh = run(emu, "diff", "-f", str(values))
    assert fresh.exit_code == 1
    assert "--- /dev/null\n+++ render/Deployment/syntho/kuberay-operator" in fresh.stdout
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    same = run(emu, "diff", "-f", str(values))
    assert same.exit_code == 0, same.output
    assert same.stdout == ""
    changed = run(
        emu,
        "diff",
        "-f",
        str(values),
        "--set",
        "operatorImage.tag=v1.2",
        "--set",
        "rbacEnable=false",
    )
    assert changed.exit_code == 1
    assert "--- live/Deployment/syntho/kuberay-operator" in changed.stdout
    assert "+        image: syntho.azurecr.io/syntho-ray-operator:v1.2" in changed.stdout
    assert "+++ /dev/null" in changed.stdout  # the RBAC prune would delete
    assert "resourceVersion" not in changed.stdout and "managedFields" not in changed.stdout
    assert run(emu, "diff", "-f", str(values)).exit_code == 0  # nothing was changed


def test_diff_reads_each_object_once(emu: Emulator, values: Path) -> None:
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    before = len(emu.requests("GET", "/deployments/kuberay-operator$"))
    assert run(emu, "diff", "-f", str(values)).exit_code == 0
    assert len(emu.requests("GET", "/deployments/kuberay-operator$")) == before + 1


def test_status_shows_operator_cluster_pods_claims_and_head_service(
    emu: Emulator, values: Path
) -> None:
    assert run(emu, "apply", "-f", str(values), "--set", "worker.disabled=false").exit_code == 0
    emu.set_status(
        "Deployment",
        "syntho",
        "kuberay-operator",
        {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1},
    )
    emu.set_status("RayCluster", "syntho", "ray-cluster", {"state": "ready"})
    emu.set_status(
        "PersistentVolumeClaim",
        "syntho",
        "ray-data-claim",
        {"phase": "Bound", "capacity": {"storage": "100Gi"}},
    )
    for name, group, phase in (("h", "headgroup", "Running"), ("w1", "workergroup", "Pending")):
        node = "head" if name == "h" else "worker"
        emu.put(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": f"ray-cluster-{name}",
                    "namespace": "syntho",
                    "labels": {
                        "ray.io/cluster": "ray-cluster",
                        "ray.io/group": group,
                        "ray.io/node-type": node,
                    },
                },
                "status": {"phase": phase},
            }
        )
    emu.put(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "ray-cluster-head-svc", "namespace": "syntho"},
            "spec": {"type": "ClusterIP", "ports": [{"name": "client", "port": 10001}]},
        }
    )
    result = run(emu, "status", "-f", str(values), "--set", "worker.disabled=false")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "operator:   ready   Deployment kuberay-operator: 1/1 available" in out
    assert "raycluster: ready   RayCluster ray-cluster: state ready" in out
    assert "  group head: 1/1 running\n    pod ray-cluster-h: Running" in out
    assert "  group workergroup: 0/1 running\n    pod ray-cluster-w1: Pending" in out
    assert "claim:      ray-data-claim: Bound (100Gi)" in out
    assert "claim:      ray-workflows-claim: Pending" in out
    assert "head svc:   ray-cluster-head-svc: ClusterIP 10.96.0." in out and "client:10001" in out
    assert "ray_address: ray://ray-cluster-head-svc.syntho.svc.cluster.local:10001" in out


def test_status_finds_a_head_service_renamed_by_head_head_service(
    emu: Emulator, values: Path
) -> None:
    emu.put(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "ray-head", "namespace": "syntho"},
            "spec": {"type": "ClusterIP", "ports": [{"name": "client", "port": 10001}]},
        }
    )
    renamed = ["--set", "kuberay.version=0.6.0", "--set", "head.headService.metadata.name=ray-head"]
    assert run(emu, "apply", "-f", str(values), *renamed).exit_code == 0
    result = run(emu, "status", "-f", str(values), *renamed)
    out = result.stdout
    assert result.exit_code == 0, result.stderr
    assert "head svc:   ray-head: ClusterIP" in out
    assert "ray_address: ray://ray-head.syntho.svc.cluster.local:10001" in out


def test_status_without_the_crd_says_how_to_install_it(emu: Emulator, values: Path) -> None:
    emu.call(emu.kube.store.types.pop, ("ray.io", "v1alpha1", "rayclusters"))
    result = run(emu, "status", "-f", str(values))
    assert result.exit_code == 1  # nothing of the release is installed (exit codes: README)
    assert (
        "raycluster: the RayCluster CRD (rayclusters.ray.io, ray.io/v1alpha1) is not installed"
        in result.stdout
    )


def test_delete_keeps_claims_and_license_unless_all(emu: Emulator, values: Path) -> None:
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    result = run(emu, "delete", "-f", str(values), "--yes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "RayCluster syntho/ray-cluster: deleted"
    assert lines[-1] == "ServiceAccount syntho/kuberay-operator: deleted"
    assert emu.names("Deployment", "syntho") == [] and emu.names("Role", "syntho") == []
    assert emu.names("Secret", "syntho") == ["ray-secret", "syntho-cr-secret"]
    assert emu.names("PersistentVolumeClaim", "syntho") == ["ray-data-claim", "ray-workflows-claim"]
    everything = run(emu, "delete", "-f", str(values), "--yes", "--all")
    assert everything.exit_code == 0, everything.output
    assert emu.names("Secret", "syntho") == ["syntho-cr-secret"]  # not ours: kept
    assert emu.names("PersistentVolumeClaim", "syntho") == []


def test_delete_asks_on_a_terminal_and_refuses_without_one(
    emu: Emulator, values: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    refused = run(emu, "delete", "-f", str(values))
    assert refused.exit_code == 2 and "pass --yes" in refused.stderr
    from syntho_ray.cli import release as release_cli

    monkeypatch.setattr(release_cli, "is_terminal", lambda: True)
    declined = run(emu, "delete", "-f", str(values), input="n\n")
    assert "nothing deleted" in declined.stderr
    assert emu.names("Deployment", "syntho") == ["kuberay-operator"]
    accepted = run(emu, "delete", "-f", str(values), input="y\n")
    assert accepted.exit_code == 0 and emu.names("Deployment", "syntho") == []
