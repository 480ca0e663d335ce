"""A chart 1.14 release through the cluster commands, on the API emulator: apply, diff, status,
prune of the cluster-wide RBAC, delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cluster_setup import LICENSE, run, values_file
from support.kube_emulator import Emulator

VALUES_114 = f"""\
SynthoLicense: {LICENSE}
kuberay-operator:
  singleNamespaceInstall: false
ray-cluster:
  worker:
    disabled: false
"""


@pytest.fixture
def emu(emu: Emulator) -> Emulator:
    """The shared emulator, and KubeRay 1.2.2's CRD served."""
    emu.serve_raycluster("v1", "v1alpha1")  # KubeRay 1.2.2's CRD
    return emu


def test_a_1_14_release_applies_is_in_sync_and_reports_its_status(
    emu: Emulator, tmp_path: Path
) -> None:
    values = values_file(tmp_path, VALUES_114)
    applied = run(emu, "apply", "-f", str(values))
    assert applied.exit_code == 0, applied.output
    assert emu.get("RayCluster", "syntho", "ray-cluster") is not None
    assert emu.get("ClusterRoleBinding", "", "kuberay-operator") is not None
    assert emu.get("Role", "syntho", "kuberay-operator-leader-election") is not None
    assert run(emu, "diff", "-f", str(values)).exit_code == 0
    status = run(emu, "status", "-f", str(values))
    assert "ray_address: ray://ray-cluster-head-svc.syntho.svc.cluster.local:10001" in status.stdout


def test_cluster_wide_rbac_is_pruned_when_the_release_goes_namespaced(
    emu: Emulator, tmp_path: Path
) -> None:
    values = values_file(tmp_path, VALUES_114)
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    namespaced = values_file(tmp_path, VALUES_114.replace("false\nray", "true\nray"), "ns.yaml")
    again = run(emu, "apply", "-f", str(namespaced))
    assert again.exit_code == 0, again.output
    assert emu.get("ClusterRoleBinding", "", "kuberay-operator") is None
    assert emu.get("ClusterRole", "", "kuberay-operator") is None
    assert emu.get("Role", "syntho", "kuberay-operator") is not None


def test_the_chart_option_reads_a_file_in_the_1_13_layout_as_an_error(
    emu: Emulator, tmp_path: Path
) -> None:
    values = values_file(tmp_path, "SynthoLicense: x\nrbacEnable: false\n")
    result = run(emu, "apply", "--chart", "1.14", "-f", str(values))
    assert result.exit_code == 1
    assert "rbacEnable: a key of chart 1.13's layout" in result.stderr
