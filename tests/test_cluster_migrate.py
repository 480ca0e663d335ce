"""`syntho-ray migrate --from-helm-release`: values from Helm's record, take-over, cleanup."""

from __future__ import annotations

import copy
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cluster_setup import LICENSE, emulator, ready_for_release, run
from kube_emulator import Emulator

from syntho_ray import Release, render_documents, values_from_mapping
from syntho_ray.cluster.helm_migrate import decode_release, encode_release

USER_VALUES = {"SynthoLicense": LICENSE, "worker": {"disabled": False, "replicas": 2}}
LEGACY = {
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "metadata": {"name": "legacy", "namespace": "syntho"},
}


def helm_style(doc: dict[str, Any]) -> dict[str, Any]:
    """What Helm installs: the chart's labels and Helm's ownership annotations."""
    out = copy.deepcopy(doc)
    meta = out["metadata"]
    if "labels" in meta:
        meta["labels"] |= {
            "app.kubernetes.io/managed-by": "Helm",
            "helm.sh/chart": "ray-cluster-1.13.0",
        }
    meta["annotations"] = (meta.get("annotations") or {}) | {
        "meta.helm.sh/release-name": "ray-cluster",
        "meta.helm.sh/release-namespace": "syntho",
    }
    return out


def record(revision: int, values: dict[str, Any], manifest: str) -> dict[str, Any]:
    release = {
        "name": "ray-cluster",
        "namespace": "syntho",
        "version": revision,
        "info": {"status": "deployed" if revision == 2 else "superseded"},
        "chart": {"metadata": {"name": "ray-cluster", "version": "1.13.0"}},
        "config": values,
        "manifest": manifest,
    }
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": {
            "name": f"sh.helm.release.v1.ray-cluster.v{revision}",
            "namespace": "syntho",
            "labels": {"owner": "helm", "name": "ray-cluster", "version": str(revision)},
        },
        "data": {"release": encode_release(release)},
    }


@pytest.fixture
def emu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with emulator(tmp_path, monkeypatch) as running:
        ready_for_release(running)
        docs = render_documents(values_from_mapping(USER_VALUES), Release())
        installed = [helm_style(d) for d in docs] + [LEGACY]
        for doc in installed:
            running.put(doc, manager="helm")
        manifest = yaml.safe_dump_all(installed)
        running.put(record(1, {"SynthoLicense": "old"}, manifest), manager="helm")
        running.put(record(2, USER_VALUES, manifest), manager="helm")
        yield running


def test_the_release_record_round_trips() -> None:
    assert decode_release(encode_release({"config": {"a": 1}})) == {"config": {"a": 1}}


def test_dry_run_writes_the_values_and_says_what_it_would_do(emu: Emulator, tmp_path: Path) -> None:
    out = tmp_path / "from-helm.yaml"
    result = run(emu, "migrate", "--from-helm-release", "ray-cluster", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text()) == USER_VALUES  # the latest revision's values
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    err = result.stderr
    assert "take over: Deployment syntho/kuberay-operator" in err
    assert (
        "leave (Helm rendered it, syntho-ray does not; delete it yourself if unused): "
        "ServiceAccount syntho/legacy" in err
    )
    assert "remove Helm release record: Secret sh.helm.release.v1.ray-cluster.v2" in err
    assert "dry run: nothing changed" in err
    assert emu.requests("PATCH") == [] and emu.requests("DELETE") == []


def test_apply_takes_over_without_restarts_and_removes_helms_records(
    emu: Emulator, tmp_path: Path
) -> None:
    before = emu.get("Deployment", "syntho", "kuberay-operator")
    cluster_before = emu.get("RayCluster", "syntho", "ray-cluster")
    assert before is not None and cluster_before is not None
    out = tmp_path / "from-helm.yaml"
    result = run(emu, "migrate", "--from-helm-release", "ray-cluster", "-o", str(out), "--apply")
    assert result.exit_code == 0, result.output
    assert "Secret syntho/sh.helm.release.v1.ray-cluster.v1: deleted" in result.stdout
    assert [n for n in emu.names("Secret", "syntho") if n.startswith("sh.helm")] == []
    after = emu.get("Deployment", "syntho", "kuberay-operator")
    assert after is not None
    assert after["metadata"]["uid"] == before["metadata"]["uid"]  # same object, adopted
    assert after["metadata"]["generation"] == before["metadata"]["generation"]  # no rollout
    assert after["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "syntho-ray"
    assert "syntho-ray" in [m["manager"] for m in after["metadata"]["managedFields"]]
    cluster_after = emu.get("RayCluster", "syntho", "ray-cluster")
    assert cluster_after is not None
    assert cluster_after["metadata"]["generation"] == cluster_before["metadata"]["generation"]
    converged = run(emu, "apply", "-f", str(out))
    assert converged.exit_code == 0, converged.output
    assert "0 created, 0 configured, 11 unchanged" in converged.stderr
    assert run(emu, "diff", "-f", str(out)).exit_code == 0


def test_a_missing_release_says_where_it_looked(emu: Emulator, tmp_path: Path) -> None:
    result = run(emu, "migrate", "--from-helm-release", "nope", "-o", str(tmp_path / "x.yaml"))
    assert result.exit_code == 1
    assert (
        "no Helm release nope in namespace syntho: no Secret sh.helm.release.v1.nope.v<N>"
        in result.stderr
    )
