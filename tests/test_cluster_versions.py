"""The cluster commands follow `kuberay.version`: the RayCluster's API version (`ray.io/v1`
from KubeRay 1.0.0), the CRD preflight and its install hint; and `watchNamespace`, whose
Roles and RoleBindings live in other namespaces, for apply, prune and delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cluster_setup import run, values_file
from support.kube_emulator import Emulator

V1 = ("--set", "kuberay.version=1.2.2")
AVAILABLE = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1}
CRDS_1_2_2 = "https://github.com/ray-project/kuberay/ray-operator/config/crd?ref=v1.2.2"


@pytest.fixture
def values(tmp_path: Path) -> Path:
    return values_file(tmp_path)


def test_a_1_x_release_applies_waits_for_shows_and_deletes_a_v1_raycluster(
    emu: Emulator, values: Path
) -> None:
    emu.serve_raycluster("v1")  # not v1alpha1: every RayCluster call must use v1
    applied = run(emu, "apply", "-f", str(values), *V1)
    assert applied.exit_code == 0, applied.output
    assert "RayCluster syntho/ray-cluster: created" in applied.stdout
    cluster = emu.get("RayCluster", "syntho", "ray-cluster")
    assert cluster is not None and cluster["apiVersion"] == "ray.io/v1"
    assert [m["apiVersion"] for m in cluster["metadata"]["managedFields"]] == ["ray.io/v1"]

    emu.set_status("Deployment", "syntho", "kuberay-operator", AVAILABLE)
    emu.set_status("RayCluster", "syntho", "ray-cluster", {"state": "ready"})
    waited = run(emu, "apply", "-f", str(values), *V1, "--wait", "--timeout", "5s")
    assert waited.exit_code == 0, waited.output
    assert "11 unchanged, 0 pruned" in waited.stderr  # prune listed the v1 RayCluster
    assert "ready   RayCluster ray-cluster: state ready" in waited.stderr

    status = run(emu, "status", "-f", str(values), *V1)
    assert status.exit_code == 0, status.output
    assert "raycluster: ready   RayCluster ray-cluster: state ready" in status.stdout

    deleted = run(emu, "delete", "-f", str(values), *V1, "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert deleted.stdout.splitlines()[0] == "RayCluster syntho/ray-cluster: deleted"
    assert emu.names("RayCluster") == []
    assert emu.requests(path="/ray.io/v1alpha1") == []


def test_preflight_refuses_a_1_x_release_when_the_crd_serves_only_v1alpha1(
    emu: Emulator, values: Path, tmp_path: Path
) -> None:
    problem = (
        "the RayCluster CRD (rayclusters.ray.io, ray.io/v1) serves only v1alpha1, not v1; "
        "install KubeRay 1.2.2's CRDs once"
    )
    refused = run(emu, "apply", "-f", str(values), *V1)
    assert refused.exit_code == 1
    assert problem in refused.stderr
    assert f"`kubectl apply --server-side -k '{CRDS_1_2_2}'`" in refused.stderr
    assert emu.requests("PATCH") == []

    status = run(emu, "status", "-f", str(values), *V1)
    assert f"raycluster: {problem}" in status.stdout

    skipped = run(emu, "apply", "-f", str(values), *V1, "--skip-preflight")
    assert skipped.exit_code == 1
    assert (
        "RayCluster syntho/ray-cluster: the RayCluster CRD (rayclusters.ray.io, ray.io/v1) is "
        "not installed in the cluster or does not serve v1; install KubeRay 1.2.2's CRDs"
    ) in skipped.stderr
    assert CRDS_1_2_2 in skipped.stderr


def test_switching_to_a_1_x_release_keeps_the_raycluster_once_the_crd_serves_v1(
    emu: Emulator, values: Path
) -> None:
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    renamed = run(emu, "apply", "-f", str(values), "--set", "clustername=second")
    assert renamed.exit_code == 0, renamed.output  # no switch: v1alpha1 throughout
    assert "RayCluster syntho/ray-cluster: pruned" in renamed.stdout
    before = emu.get("RayCluster", "syntho", "second")
    assert before is not None and before["apiVersion"] == "ray.io/v1alpha1"

    emu.serve_raycluster("v1", "v1alpha1")  # the CRDs of KubeRay 1.2.2 installed
    switched = run(emu, "apply", "-f", str(values), "--set", "clustername=second", *V1)
    assert switched.exit_code == 0, switched.output
    assert "RayCluster syntho/second: configured" in switched.stdout
    assert "pruned" not in switched.stdout
    after = emu.get("RayCluster", "syntho", "second")
    assert after is not None and after["apiVersion"] == "ray.io/v1"
    assert after["metadata"]["uid"] == before["metadata"]["uid"]  # the same Ray cluster
    assert emu.names("RayCluster") == ["second"]


def test_watch_namespaces_are_checked_applied_pruned_and_deleted(
    emu: Emulator, values: Path
) -> None:
    def namespace(name: str) -> None:
        emu.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, "kube")

    def rbac(where: str) -> list[str]:
        return emu.names("Role", where) + emu.names("RoleBinding", where)

    version = ("--set", "kuberay.version=0.6.0")
    three = ("--set", "watchNamespace={syntho,team-a,team-b}")
    namespace("team-a")
    refused = run(emu, "apply", "-f", str(values), *version, *three)
    assert refused.exit_code == 1
    assert (
        "namespace team-b (watchNamespace: the operator's Role goes there) does not exist; "
        "create it (--create-namespace creates only the release's, syntho)" in refused.stderr
    )
    assert emu.requests("PATCH") == []

    namespace("team-b")
    applied = run(emu, "apply", "-f", str(values), *version, *three)
    assert applied.exit_code == 0, applied.output
    assert rbac("team-a") == rbac("team-b") == ["kuberay-operator", "kuberay-operator"]

    two = ("--set", "watchNamespace={syntho,team-a}")
    pruned = run(emu, "apply", "-f", str(values), *version, *two)
    assert pruned.exit_code == 0, pruned.output
    assert "Role team-b/kuberay-operator: pruned" in pruned.stdout
    assert "RoleBinding team-b/kuberay-operator: pruned" in pruned.stdout
    assert rbac("team-b") == [] and len(rbac("team-a")) == 2

    # Without the values' watchNamespace, delete still finds team-a's through the operator.
    deleted = run(emu, "delete", "-f", str(values), *version, "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "Role team-a/kuberay-operator: deleted" in deleted.stdout
    assert rbac("team-a") == [] and rbac("syntho") == []
