"""Issue 13, point 3, for cluster-scoped objects: a release never touches the ClusterRoles and
ClusterRoleBindings of a release in another namespace, even one of the same name.

Chart 1.14 with `singleNamespaceInstall: false` renders ClusterRoles and ClusterRoleBindings,
and names them the same in every release (`<fullname>`, `rayjob-editor-role`, ...). In the
cluster syntho-ray labels them with the release's namespace; apply, diff, prune and delete of a
release in another namespace leave them alone, and an apply that would take them over is
refused, naming the release and namespace they belong to. Against the API emulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.cluster_setup import LICENSE, run, values_file
from support.kube_emulator import Emulator
from typer.testing import Result

from syntho_ray.cluster.apply import NAMESPACE_LABEL

CLUSTER_WIDE = f"""\
SynthoLicense: {LICENSE}
kuberay-operator:
  singleNamespaceInstall: false
"""
NAMESPACED = f"SynthoLicense: {LICENSE}\nkuberay-operator:\n  singleNamespaceInstall: true\n"
CLUSTER_OBJECTS = [
    ("ClusterRole", "kuberay-operator"),
    ("ClusterRoleBinding", "kuberay-operator"),
    ("ClusterRole", "rayjob-editor-role"),
    ("ClusterRole", "rayjob-viewer-role"),
    ("ClusterRole", "rayservice-editor-role"),
    ("ClusterRole", "rayservice-viewer-role"),
]


@pytest.fixture
def emu(emu: Emulator) -> Emulator:
    """The shared emulator, KubeRay 1.2.2's CRD served, and two team namespaces with the
    image pull Secret."""
    emu.serve_raycluster("v1", "v1alpha1")
    for namespace in ("team-a", "team-b"):
        emu.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
        emu.put(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "kubernetes.io/dockerconfigjson",
                "metadata": {"name": "syntho-cr-secret", "namespace": namespace},
                "data": {".dockerconfigjson": "e30="},
            }
        )
    return emu


def in_namespace(emu: Emulator, namespace: str, *args: str) -> Result:
    return run(emu, *args, "-n", namespace)


def install_a(emu: Emulator, tmp_path: Path) -> Path:
    values = values_file(tmp_path, CLUSTER_WIDE, "a.yaml")
    applied = in_namespace(emu, "team-a", "apply", "-f", str(values))
    assert applied.exit_code == 0, applied.output
    return values


def home(emu: Emulator, kind: str, name: str) -> Any:
    obj = emu.get(kind, "", name)
    assert obj is not None, f"{kind} {name} is gone"
    return (obj["metadata"].get("labels") or {}).get(NAMESPACE_LABEL)


def subject_namespace(emu: Emulator) -> str:
    binding = emu.get("ClusterRoleBinding", "", "kuberay-operator")
    assert binding is not None
    return str(binding["subjects"][0]["namespace"])


def test_cluster_scoped_objects_carry_the_release_namespace(emu: Emulator, tmp_path: Path) -> None:
    values = install_a(emu, tmp_path)
    for kind, name in CLUSTER_OBJECTS:
        assert home(emu, kind, name) == "team-a", (kind, name)
    assert in_namespace(emu, "team-a", "diff", "-f", str(values)).exit_code == 0
    rendered = run(None, "render", "-f", str(values), "-n", "team-a")
    assert NAMESPACE_LABEL not in rendered.stdout  # in the cluster only, as the claims' labels


def test_a_namespaced_release_of_the_same_name_elsewhere_leaves_them(
    emu: Emulator, tmp_path: Path
) -> None:
    install_a(emu, tmp_path)
    b = values_file(tmp_path, NAMESPACED, "b.yaml")
    applied = in_namespace(emu, "team-b", "apply", "-f", str(b))
    assert applied.exit_code == 0, applied.output
    assert "pruned" not in applied.output.replace("0 pruned", "")
    diff = in_namespace(emu, "team-b", "diff", "-f", str(b))
    assert diff.exit_code == 0, diff.output
    deleted = in_namespace(emu, "team-b", "delete", "-f", str(b), "--all", "--yes")
    assert deleted.exit_code == 0, deleted.output
    for kind, name in CLUSTER_OBJECTS:
        assert home(emu, kind, name) == "team-a", (kind, name)
    assert subject_namespace(emu) == "team-a"
    assert emu.get("Deployment", "team-a", "kuberay-operator") is not None


def test_a_second_cluster_wide_release_is_refused_naming_the_owner(
    emu: Emulator, tmp_path: Path
) -> None:
    install_a(emu, tmp_path)
    b = values_file(tmp_path, CLUSTER_WIDE, "b.yaml")
    for dry_run in ((), ("--dry-run=server",)):
        refused = in_namespace(emu, "team-b", "apply", "-f", str(b), *dry_run)
        assert refused.exit_code == 1, refused.output
        assert (
            "namespace team-a" in refused.stderr
            and "ClusterRole kuberay-operator" in refused.stderr
        )
        assert "singleNamespaceInstall" in refused.stderr and "Traceback" not in refused.output
    assert subject_namespace(emu) == "team-a"
    assert emu.get("Deployment", "team-b", "kuberay-operator") is None  # nothing of B applied
    diff = in_namespace(emu, "team-b", "diff", "-f", str(b))
    assert diff.exit_code == 2 and "namespace team-a" in diff.stderr, diff.output


def test_another_operator_name_still_collides_on_the_charts_fixed_role_names(
    emu: Emulator, tmp_path: Path
) -> None:
    install_a(emu, tmp_path)
    text = CLUSTER_WIDE + "  fullnameOverride: kuberay-b\n"
    b = values_file(tmp_path, text, "b.yaml")
    refused = in_namespace(emu, "team-b", "apply", "-f", str(b))
    assert refused.exit_code == 1
    assert "rayjob-editor-role" in refused.stderr and "namespace team-a" in refused.stderr
    assert "ClusterRole kuberay-operator " not in refused.stderr  # its own name is free


def test_deleting_the_release_in_its_own_namespace_still_removes_them(
    emu: Emulator, tmp_path: Path
) -> None:
    values = install_a(emu, tmp_path)
    deleted = in_namespace(emu, "team-a", "delete", "-f", str(values), "--yes")
    assert deleted.exit_code == 0, deleted.output
    for kind, name in CLUSTER_OBJECTS:
        assert emu.get(kind, "", name) is None, (kind, name)


def test_an_unmarked_cluster_wide_object_is_not_taken_without_the_flag(
    emu: Emulator, tmp_path: Path
) -> None:
    """As `kubectl apply -k` of a render leaves it: the release's labels, no namespace."""
    emu.put(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {
                "name": "rayjob-viewer-role",
                "labels": {
                    "app.kubernetes.io/managed-by": "syntho-ray",
                    "app.kubernetes.io/instance": "ray-cluster",
                },
            },
            "rules": [],
        }
    )
    values = values_file(tmp_path, CLUSTER_WIDE, "a.yaml")
    refused = in_namespace(emu, "team-a", "apply", "-f", str(values))
    assert refused.exit_code == 1
    assert "rayjob-viewer-role" in refused.stderr and "--take-ownership" in refused.stderr
    taken = in_namespace(emu, "team-a", "apply", "-f", str(values), "--take-ownership")
    assert taken.exit_code == 0, taken.output
    assert home(emu, "ClusterRole", "rayjob-viewer-role") == "team-a"
