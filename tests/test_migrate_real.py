"""`migrate --from-helm-release` against a real API server: set SYNTHO_RAY_TEST_KUBECONFIG.

A release is made as Helm makes it: the chart's reference objects (`helm template` output of
the default case, rendered for namespace `syntho` and moved to the test's namespace) created
with plain creates by field manager `helm`, with Helm's release annotations, and the release
record `sh.helm.release.v1.ray-cluster.v1` (gzip, base64, in the Secret's own base64) naming
the chart. Variant `both` gives Helm's operator Deployment a second container and another
selector, and the head a second init container. After `migrate --apply`: `diff` exits 0, one
operator container, the selector as rendered, no field managed by `helm`, none of Helm's labels
or annotations, no release record. The RayCluster CRD of the chart's KubeRay release must be
installed (kubectl apply --server-side -f ray-operator/config/crd/bases).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cluster_setup import LICENSE, run

from syntho_ray.cluster.connect import Session, connect
from syntho_ray.facts.kinds import kind_at

KUBECONFIG = os.environ.get("SYNTHO_RAY_TEST_KUBECONFIG", "")
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
CHARTS = {  # generation: (reference folder, the chart a release record names)
    "1.13": (SHARED, ("ray-cluster", "1.13.0")),
    "1.14": (SHARED / "chart-1.14", ("ray", "1.14.0")),
}
NAME = "ray-cluster"
pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not KUBECONFIG, reason="set SYNTHO_RAY_TEST_KUBECONFIG to run against a cluster"
    ),
]


def chart_flag(generation: str) -> list[str]:
    return [] if generation == "1.13" else ["--chart", generation]


def reference_objects(generation: str, namespace: str, variant: str) -> list[dict[str, Any]]:
    """The chart's objects for `namespace`, as Helm installs them (with the variant's extras)."""
    text = (CHARTS[generation][0] / "rendered" / "01-default.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?<![\w.-])syntho(?![\w.-])", namespace, text)  # rendered for `syntho`
    objects = [d for d in yaml.safe_load_all(text) if d]
    helm = {"meta.helm.sh/release-name": NAME, "meta.helm.sh/release-namespace": namespace}
    for obj in objects:
        obj["metadata"]["annotations"] = (obj["metadata"].get("annotations") or {}) | helm
    if variant == "both":
        extra = {"name": "helm-only", "image": "busybox:1.28", "args": ["sleep", "1d"]}
        deployment = next(o for o in objects if o["kind"] == "Deployment")
        deployment["spec"]["template"]["spec"]["containers"].append(extra)
        labels = {"app.kubernetes.io/name": "chart-operator", "app.kubernetes.io/instance": NAME}
        deployment["spec"]["selector"]["matchLabels"] = labels
        deployment["spec"]["template"]["metadata"]["labels"] = labels
        cluster = next(o for o in objects if o["kind"] == "RayCluster")
        head = cluster["spec"]["headGroupSpec"]["template"]["spec"]
        head["initContainers"] = [*head.get("initContainers", []), extra]
    return objects


def path_of(obj: dict[str, Any], namespace: str) -> str:
    kind = kind_at(obj["kind"], obj["apiVersion"])
    assert kind is not None, f"{obj['apiVersion']} {obj['kind']}"
    return kind.path(namespace if kind.namespaced else None)


def record(generation: str, namespace: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    name, version = CHARTS[generation][1]
    release = {
        "name": NAME,
        "namespace": namespace,
        "version": 1,
        "info": {"status": "deployed"},
        "chart": {"metadata": {"name": name, "version": version, "appVersion": "1.0"}},
        "config": {"SynthoLicense": LICENSE},
        "manifest": yaml.safe_dump_all(objects),
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
        "data": {"release": base64.b64encode(packed.encode()).decode()},
    }


def install_as_helm(session: Session, generation: str, namespace: str, variant: str) -> None:
    objects = reference_objects(generation, namespace, variant)
    for obj in [*objects, record(generation, namespace, objects)]:
        session.request("POST", path_of(obj, namespace), query={"fieldManager": "helm"}, body=obj)


@pytest.fixture
def namespace() -> Iterator[str]:
    """A namespace with the pull Secret, and the StorageClass `default` the chart names."""
    name = f"syntho-ray-migrate-{uuid.uuid4().hex[:6]}"
    session = connect(KUBECONFIG)
    session.request("POST", "/api/v1/namespaces", body={"metadata": {"name": name}})
    pull = {"metadata": {"name": "syntho-cr-secret"}, "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": "e30="}}  # fmt: skip
    session.request("POST", f"/api/v1/namespaces/{name}/secrets", body=pull)
    classes = "/apis/storage.k8s.io/v1/storageclasses"
    made = session.get(f"{classes}/default") is None
    if made:
        sc = {"metadata": {"name": "default"}, "provisioner": "kubernetes.io/no-provisioner"}
        session.request("POST", classes, body=sc)
    yield name
    session.request("DELETE", f"/api/v1/namespaces/{name}")
    if made:
        session.request("DELETE", f"{classes}/default")


def live(session: Session, namespace: str, generation: str) -> list[dict[str, Any]]:
    found = []
    for obj in reference_objects(generation, namespace, "plain"):
        path = path_of(obj, namespace) + "/" + obj["metadata"]["name"]
        got = session.get(path)
        if got is not None:
            found.append(got | {"kind": obj["kind"]})
    return found


def helm_left(obj: dict[str, Any]) -> list[str]:
    meta = obj["metadata"]
    left = [e["manager"] for e in meta.get("managedFields") or [] if e["manager"] == "helm"]
    left += [k for k in meta.get("annotations") or {} if k.startswith("meta.helm.sh/")]
    labels = meta.get("labels") or {}
    return left + [k for k, v in labels.items() if k == "helm.sh/chart" or v == "Helm"]


def renders(generation: str) -> bool:
    return generation == "1.13" or "--chart" in run(None, "render", "--help").stdout


@pytest.mark.parametrize("variant", ["plain", "both"])
@pytest.mark.parametrize("generation", ["1.13", "1.14"])
def test_migrate_leaves_nothing_helm_owns(
    namespace: str, tmp_path: Path, generation: str, variant: str
) -> None:
    if not renders(generation):
        pytest.skip(f"this syntho-ray does not render chart {generation}")
    session = connect(KUBECONFIG)
    install_as_helm(session, generation, namespace, variant)
    values = str(tmp_path / "values.yaml")
    common = ["--from-helm-release", NAME, "-n", namespace, "-o", values]
    kubeconfig = Path(KUBECONFIG)
    plan = run(None, "migrate", *common, kubeconfig=kubeconfig)
    assert plan.exit_code == 0, plan.output
    replaced = "replace: Deployment " in plan.stderr
    assert replaced == (variant == "both"), plan.stderr
    result = run(None, "migrate", *common, "--apply", kubeconfig=kubeconfig)
    assert result.exit_code == 0, result.output
    diff = run(None, "diff", *chart_flag(generation), "-f", values, "-n", namespace,
               kubeconfig=kubeconfig)  # fmt: skip
    assert diff.exit_code == 0, diff.output
    objects = live(session, namespace, generation)
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == [containers[0]["name"]]
    assert containers[0]["name"] != "helm-only"
    assert "chart-operator" not in json.dumps(deployment["spec"]["selector"])
    cluster = next(o for o in objects if o["kind"] == "RayCluster")
    inits = cluster["spec"]["headGroupSpec"]["template"]["spec"].get("initContainers", [])
    assert "helm-only" not in [c["name"] for c in inits]
    for obj in objects:
        assert helm_left(obj) == [], f"{obj['kind']} {obj['metadata']['name']}"
    records = session.request(
        "GET", f"/api/v1/namespaces/{namespace}/secrets", query={"labelSelector": "owner=helm"}
    )
    assert records.get("items") == []
