"""Two chart 1.14 releases of the same name in two namespaces, on the real API server: the
second never prunes, deletes or takes over the first's ClusterRoles and ClusterRoleBindings
(issue 13, point 3). Apply only: no operator runs here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHARTS, Release, delete_namespace, new_release
from controlplane import ControlPlane

CHART = CHARTS["1.14"]
BINDING = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kuberay-operator"
ROLE = "/apis/rbac.authorization.k8s.io/v1/clusterroles/rayjob-editor-role"


@pytest.fixture
def two(control_plane: ControlPlane, tmp_path: Path) -> Iterator[tuple[Release, Release]]:
    control_plane.use_crds(CHART.operator)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = new_release(control_plane, CHART, tmp_path / "a")
    b = new_release(control_plane, CHART, tmp_path / "b")
    try:
        yield a, b
    finally:
        a.cli("delete", "-f", str(a.values), "--yes")
        for release in (a, b):
            delete_namespace(control_plane, release.namespace)


def set_cluster_wide(release: Release, value: bool) -> None:
    text = CHART.values + f"kuberay-operator:\n  singleNamespaceInstall: {str(not value).lower()}\n"
    release.values.write_text(text)


def test_another_namespaces_release_leaves_the_cluster_wide_objects(
    two: tuple[Release, Release], tmp_path: Path
) -> None:
    a, b = two
    set_cluster_wide(a, True)
    applied = a.cli("apply", "-f", str(a.values))
    assert applied.returncode == 0, applied.stderr
    binding = a.api.get(BINDING)
    assert binding["metadata"]["labels"]["syntho-ray/release-namespace"] == a.namespace

    set_cluster_wide(b, True)  # same release name, same ClusterRole names: refused
    refused = b.cli("apply", "-f", str(b.values))
    assert refused.returncode == 1 and f"namespace {a.namespace}" in refused.stderr
    assert "Traceback" not in refused.stderr
    set_cluster_wide(b, False)  # namespaced: applies, prunes nothing of a's
    applied = b.cli("apply", "-f", str(b.values))
    assert applied.returncode == 0, applied.stderr
    assert b.cli("diff", "-f", str(b.values)).returncode == 0
    deleted = b.cli("delete", "-f", str(b.values), "--yes")
    assert deleted.returncode == 0, deleted.stderr

    binding = a.api.get(BINDING)
    assert binding is not None and binding["subjects"][0]["namespace"] == a.namespace
    assert a.api.get(ROLE) is not None
    assert a.cli("diff", "-f", str(a.values)).returncode == 0
