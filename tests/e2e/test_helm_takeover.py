"""`migrate --from-helm-release` from a release made as Helm makes it, per chart generation.

The chart's reference objects (../shared, `helm template` output) are created as Helm 3
creates them: a create with field manager `helm`, the `meta.helm.sh/release-*` annotations,
and the release record `sh.helm.release.v1.NAME.v1` (gzip, base64, inside the Secret's own
base64) carrying the user's values and the chart's name and version. After the take-over the
release must be syntho-ray's alone: diff 0, one operator container, the selector unchanged,
no field Helm manages, no release record.
"""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Chart, Release, delete_namespace, kubectl, new_release
from controlplane import ControlPlane

NAMESPACE = "syntho"  # the namespace the reference objects were rendered for
NAME = "ray-cluster"
CASE = "01-default"


def reference_objects(chart: Chart) -> list[dict[str, Any]]:
    text = (chart.reference / "rendered" / f"{CASE}.yaml").read_text()
    return [d for d in yaml.safe_load_all(text) if d]


def chart_of(objects: list[dict[str, Any]]) -> tuple[str, str]:
    """The chart's name and version, from Helm's `helm.sh/chart` label (NAME-VERSION)."""
    label = next(
        o["metadata"]["labels"]["helm.sh/chart"]
        for o in objects
        if "helm.sh/chart" in o["metadata"].get("labels", {})
    )
    name, version = str(label).rsplit("-", 1)
    return name, version


def release_record(chart: Chart, objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The Secret Helm 3 stores a release's first revision in."""
    name, version = chart_of(objects)
    values = yaml.safe_load((chart.reference / "cases" / f"{CASE}.yaml").read_text()) or {}
    release = {
        "name": NAME,
        "namespace": NAMESPACE,
        "version": 1,
        "info": {
            "status": "deployed",
            "description": "Install complete",
            "first_deployed": "2026-01-01T00:00:00Z",
            "last_deployed": "2026-01-01T00:00:00Z",
        },
        "chart": {"metadata": {"name": name, "version": version, "apiVersion": "v2"}},
        "config": values,
        "manifest": yaml.safe_dump_all(objects, sort_keys=False),
    }
    packed = base64.b64encode(gzip.compress(json.dumps(release).encode())).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": {
            "name": f"sh.helm.release.v1.{NAME}.v1",
            "labels": {"name": NAME, "owner": "helm", "status": "deployed", "version": "1"},
        },
        "stringData": {"release": packed},
    }


def install_as_helm(release: Release, objects: list[dict[str, Any]]) -> None:
    annotations = {"meta.helm.sh/release-name": NAME, "meta.helm.sh/release-namespace": NAMESPACE}
    created = []
    for obj in objects:
        obj = json.loads(json.dumps(obj))
        meta = obj["metadata"]
        meta["annotations"] = {**meta.get("annotations", {}), **annotations}
        created.append(obj)
    manifest = release.folder / "helm-objects.yaml"
    manifest.write_text(yaml.safe_dump_all(created))
    kubectl(
        release.plane, "create", "-n", NAMESPACE, "--field-manager", "helm", "-f", str(manifest)
    )
    record = release.folder / "helm-record.yaml"
    record.write_text(yaml.safe_dump(release_record(release.chart, objects)))
    kubectl(release.plane, "create", "-n", NAMESPACE, "--field-manager", "helm", "-f", str(record))


@pytest.fixture
def helm_release(cluster: ControlPlane, chart: Chart, tmp_path: Path) -> Iterator[Release]:
    release = new_release(cluster, chart, tmp_path, NAMESPACE)
    for name in ("default",):  # the StorageClass the chart's default values name
        body = {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": name},
            "provisioner": "kubernetes.io/no-provisioner",
        }
        if cluster.api.get(f"/apis/storage.k8s.io/v1/storageclasses/{name}") is None:
            cluster.api.request("POST", "/apis/storage.k8s.io/v1/storageclasses", body)
    try:
        yield release
    finally:
        cluster_scoped = [o for o in reference_objects(chart) if o["kind"].startswith("Cluster")]
        for obj in cluster_scoped:
            kubectl(cluster, "delete", obj["kind"], obj["metadata"]["name"], "--ignore-not-found")
        delete_namespace(cluster, NAMESPACE)


def live_objects(release: Release, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for obj in objects:
        out = kubectl(
            release.plane,
            "get",
            "-n",
            NAMESPACE,
            obj["kind"],
            obj["metadata"]["name"],
            "-o",
            "json",
            "--ignore-not-found",
        )
        if out.stdout.strip():
            found.append(json.loads(out.stdout))
    return found


def assert_ok(out: subprocess.CompletedProcess[str], code: int = 0) -> None:
    assert out.returncode == code, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"


def test_migrate_from_a_helm_release_leaves_nothing_helm_owns(helm_release: Release) -> None:
    release = helm_release
    objects = reference_objects(release.chart)
    install_as_helm(release, objects)
    helm_deployment = next(o for o in objects if o["kind"] == "Deployment")
    values = release.folder / "migrated-values.yaml"
    out = release.cli("migrate", "--from-helm-release", NAME, "-o", str(values), "--apply")
    assert_ok(out)
    assert_ok(release.cli("diff", "-f", str(values)))
    deployment = release.api.request(
        "GET",
        f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/{helm_deployment['metadata']['name']}",
    )
    containers = [c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert len(containers) == 1, f"operator containers after migrate: {containers}"
    assert deployment["spec"]["selector"] == helm_deployment["spec"]["selector"]
    for obj in live_objects(release, objects):
        owners = {m["manager"] for m in obj["metadata"].get("managedFields", [])}
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        assert "helm" not in owners, f"{where} still has fields managed by helm: {owners}"
        assert obj["metadata"].get("labels", {}).get("app.kubernetes.io/managed-by") != "Helm"
    records = release.api.request(
        "GET", f"/api/v1/namespaces/{NAMESPACE}/secrets", query={"labelSelector": "owner=helm"}
    )
    assert records["items"] == []
