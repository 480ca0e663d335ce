"""The same flows against a real cluster (kind, k3d...): set SYNTHO_RAY_TEST_KUBECONFIG.

Each test works in a namespace of its own and deletes it afterwards. The RayCluster
CRD comes from SYNTHO_RAY_TEST_CRDS (a directory of CRD files), else KubeRay
0.4.0's from ../shared/kuberay/v0.4.0 when present. `--wait` is only tried with
SYNTHO_RAY_TEST_WAIT=1: the Ray images need Syntho's registry credentials.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cluster_setup import LICENSE, run, values_file

from syntho_ray.cluster.connect import connect

KUBECONFIG = os.environ.get("SYNTHO_RAY_TEST_KUBECONFIG", "")
SHARED_CRDS = Path(__file__).resolve().parents[1].parent / "shared" / "kuberay" / "v0.4.0"
pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        not KUBECONFIG, reason="set SYNTHO_RAY_TEST_KUBECONFIG to run against a cluster"
    ),
]


def crds_dir() -> Path:
    given = os.environ.get("SYNTHO_RAY_TEST_CRDS")
    if given:
        return Path(given)
    if not SHARED_CRDS.is_dir():
        pytest.skip("no RayCluster CRD: set SYNTHO_RAY_TEST_CRDS")
    return SHARED_CRDS


@pytest.fixture
def namespace() -> Iterator[str]:
    name = f"syntho-ray-e2e-{uuid.uuid4().hex[:6]}"
    yield name
    session = connect(KUBECONFIG)
    session.request("DELETE", f"/api/v1/namespaces/{name}")


def default_storage_class() -> str:
    session = connect(KUBECONFIG)
    for item in session.request("GET", "/apis/storage.k8s.io/v1/storageclasses").get("items") or []:
        notes = item["metadata"].get("annotations") or {}
        if notes.get("storageclass.kubernetes.io/is-default-class") == "true":
            return str(item["metadata"]["name"])
    pytest.skip("the cluster has no default StorageClass")


def cli(*args: str) -> tuple[int, str, str]:
    result = run(None, *args, kubeconfig=Path(KUBECONFIG))
    return result.exit_code, result.stdout, result.stderr


def test_life_cycle(namespace: str, tmp_path: Path) -> None:
    values = values_file(
        tmp_path,
        f"SynthoLicense: {LICENSE}\nstorage: {{storageClassName: {default_storage_class()}}}\n",
    )
    common = ["-f", str(values), "-n", namespace]
    code, _, err = cli("check", *common)
    assert code == 1 and f"namespace {namespace} does not exist" in err
    code, out, err = cli(
        "apply", *common, "--create-namespace", "--crds", str(crds_dir()), "--skip-preflight"
    )
    assert code == 0, err
    session = connect(KUBECONFIG)
    session.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/secrets",
        body={
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "syntho-cr-secret"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": "e30="},
        },
    )
    code, _, err = cli("check", *common)
    assert code == 0, err
    code, _, err = cli("apply", *common)
    assert code == 0 and "0 created, 0 configured" in err, err
    code, out, err = cli("diff", *common)
    assert code == 0, out + err
    code, out, err = cli("apply", *common, "--set", "rbacEnable=false")
    assert code == 0 and "Role" in out and "pruned" in out, err
    code, out, err = cli("status", *common)
    assert code == 0 and "ray_address: ray://ray-cluster-head-svc" in out, err
    if os.environ.get("SYNTHO_RAY_TEST_WAIT") == "1":
        code, out, err = cli(
            "apply", *common, "--set", "rbacEnable=false", "--wait", "--timeout", "10m"
        )
        assert code == 0 and "ray_address:" in out, err
    code, out, err = cli("delete", *common, "--yes", "--all")
    assert code == 0 and "RayCluster" in out, err
