"""`kubectl apply -k` of `render -o` gives the same live objects as `syntho-ray apply`.

Two namespaces of the same control plane: one deployed as the README's kubectl steps do it, one
by syntho-ray; the live objects are compared once the server has defaulted them, with what the
server assigns (uids, versions, timestamps, managers, bound volumes, cluster IPs) left out and
the namespace names made the same.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import yaml
from conftest import Chart, delete_namespace, kubectl, new_release
from controlplane import ControlPlane

SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields")
OWNERSHIP_LABELS = ("app.kubernetes.io/managed-by", "app.kubernetes.io/instance")
SERVER_ANNOTATIONS = (
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
)


def comparable(obj: dict[str, Any], namespace: str, unlabelled: bool) -> dict[str, Any]:
    """The object as the release defines it: server-assigned fields out, namespace as NS;
    `unlabelled`: the render gives it no ownership labels."""
    obj = json.loads(json.dumps(obj).replace(namespace, "NS"))
    meta = obj["metadata"]
    for key in SERVER_SET:
        meta.pop(key, None)
    notes = {k: v for k, v in meta.get("annotations", {}).items() if k not in SERVER_ANNOTATIONS}
    meta.pop("annotations", None)
    if notes:
        meta["annotations"] = notes
    meta.pop("finalizers", None)
    obj.pop("status", None)
    if unlabelled:
        # `syntho-ray apply` labels every object the chart leaves unlabelled (the claims, the
        # license Secret) with its release, so that another release never takes it (issue 13);
        # the rendered files keep the chart's unlabelled objects.
        labels = meta.pop("labels", {})
        kept = {k: v for k, v in labels.items() if k not in OWNERSHIP_LABELS}
        if kept:
            meta["labels"] = kept
    if obj["kind"] == "PersistentVolumeClaim":
        obj["spec"].pop("volumeName", None)
    if obj["kind"] == "Service":
        obj["spec"].pop("clusterIP", None)
        obj["spec"].pop("clusterIPs", None)
    return dict(obj)


def rendered(folder: Path) -> list[tuple[str, str, bool]]:
    """(kind, name, has no ownership labels) of each object `render -o` wrote."""
    found = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                labels = doc["metadata"].get("labels") or {}
                found.append(
                    (doc["kind"], doc["metadata"]["name"], OWNERSHIP_LABELS[0] not in labels)
                )
    return found


def live(plane: ControlPlane, namespace: str, what: tuple[str, str, bool]) -> dict[str, Any]:
    kind, name, unlabelled = what
    out = kubectl(plane, "get", "-n", namespace, kind, name, "-o", "json")
    return comparable(json.loads(out.stdout), namespace, unlabelled)


def assert_ok(out: subprocess.CompletedProcess[str]) -> None:
    assert out.returncode == 0, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"


def test_kubectl_apply_k_of_render_equals_syntho_ray_apply(
    cluster: ControlPlane, chart: Chart, tmp_path: Path
) -> None:
    for name in ("kubectl", "syntho"):
        (tmp_path / name).mkdir()
    by_kubectl = new_release(cluster, chart, tmp_path / "kubectl")
    by_syntho = new_release(cluster, chart, tmp_path / "syntho")
    try:
        folder = tmp_path / "manifests"
        assert_ok(by_kubectl.cli("render", "-f", str(by_kubectl.values), "-o", str(folder), "-q"))
        kubectl(cluster, "apply", "-k", str(folder))
        assert_ok(by_syntho.cli("apply", "-f", str(by_syntho.values)))
        objects = rendered(folder)
        assert len(objects) >= 8
        for what in objects:
            left = live(cluster, by_kubectl.namespace, what)
            right = live(cluster, by_syntho.namespace, what)
            assert left == right, f"{what[0]}/{what[1]} differs"
    finally:
        delete_namespace(cluster, by_kubectl.namespace)
        delete_namespace(cluster, by_syntho.namespace)
