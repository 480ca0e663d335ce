"""A newcomer's first hour (issue 12), against a cluster: exit codes, kubeconfig messages,
refused connections, air-gapped CRDs and the preflight of a fresh cluster."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from support.cli_process import Ran, syntho_ray
from support.cluster_setup import ready_for_release, run, values_file
from support.kube_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bare_emulator  # no CRD, no storage: each test sets up its own


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kubeconfig_for(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        ),
        encoding="utf-8",
    )
    return path


def process(*args: str) -> Ran:
    """`python -m syntho_ray ARGS` of this tree in a new process: what a shell runs."""
    return syntho_ray(*args, env={"PYTHONPATH": str(ROOT)}, timeout=120)


# -- 7. Exit codes: diff 0/1 and errors above 1, as kubectl diff; status of nothing


def test_diff_errors_exit_above_one(tmp_path: Path) -> None:
    config = kubeconfig_for(tmp_path, f"http://127.0.0.1:{closed_port()}")
    result = process("diff", "--kubeconfig", str(config))
    assert result.returncode >= 2, result.stderr
    assert "cannot reach" in result.stderr
    bad_values = process("diff", "--set", "worker.replicas=-1", "--kubeconfig", str(config))
    assert bad_values.returncode >= 2


def test_diff_exits_one_when_the_cluster_would_change(emu: Emulator, tmp_path: Path) -> None:
    ready_for_release(emu)
    values = values_file(tmp_path)
    assert run(emu, "diff", "-f", str(values)).exit_code == 1
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    assert run(emu, "diff", "-f", str(values)).exit_code == 0


def test_status_of_a_release_that_does_not_exist_fails(emu: Emulator, tmp_path: Path) -> None:
    ready_for_release(emu)
    result = run(emu, "status", "-f", str(values_file(tmp_path)))
    assert result.exit_code == 1, result.output
    assert "ray-cluster" in result.stderr and "syntho-ray apply" in result.stderr


# -- 8. Air-gapped CRDs: an offline path


CRD_TEMPLATE = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.ray.io
spec:
  group: ray.io
  names: {{kind: {kind}, listKind: {kind}List, plural: {plural}, singular: {singular}}}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {{type: object, x-kubernetes-preserve-unknown-fields: true}}
"""


def offline_crds(where: Path) -> Path:
    """CRD files as a KubeRay release ships them, made here (never copied into the repo)."""
    where.mkdir()
    for kind in ("RayCluster", "RayJob", "RayService"):
        plural = kind.lower() + "s"
        text = CRD_TEMPLATE.format(kind=kind, plural=plural, singular=kind.lower())
        (where / f"ray.io_{plural}.yaml").write_text(text, encoding="utf-8")
    return where


def test_render_with_offline_crds_writes_a_base_that_needs_no_network(tmp_path: Path) -> None:
    crds = offline_crds(tmp_path / "kuberay-crds")
    out = tmp_path / "manifests"
    result = process("render", "-o", str(out), "--crds", str(crds))
    assert result.returncode == 0, result.stderr
    kustomization = (out / "crds" / "kustomization.yaml").read_text(encoding="utf-8")
    assert "github.com" not in kustomization and "rayclusters.ray.io" in kustomization
    built = subprocess.run(
        ["kubectl", "kustomize", str(out / "crds")], capture_output=True, text=True, check=False
    )
    assert built.returncode == 0, built.stderr
    kinds = [d["spec"]["names"]["kind"] for d in yaml.safe_load_all(built.stdout)]
    assert sorted(kinds) == ["RayCluster", "RayJob", "RayService"]
    assert "apply --server-side -k" in result.stderr and "github.com" not in result.stderr


def test_render_refuses_offline_crds_without_the_raycluster(tmp_path: Path) -> None:
    crds = offline_crds(tmp_path / "no-raycluster")
    (crds / "ray.io_rayclusters.yaml").unlink()
    result = process("render", "-o", str(tmp_path / "out"), "--crds", str(crds))
    assert result.returncode == 1
    assert str(crds) in result.stderr and "RayCluster" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_readme_says_where_the_crds_come_from_offline() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Air-gapped", 1)[1].split("\n## ", 1)[0]
    assert "--crds" in section and "config/crd" in section


# -- 10. Kubeconfig messages name the file and what is wrong


def test_a_missing_kubeconfig_is_named_as_missing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = run(None, "status", kubeconfig=missing)
    assert result.exit_code == 1
    assert f"{missing}: no such file" in result.stderr
    assert "pass --kubeconfig" not in result.stderr


def test_a_malformed_kubeconfig_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nclusters: [\n", encoding="utf-8")
    result = run(None, "status", kubeconfig=config)
    assert result.exit_code == 1
    assert f"kubeconfig {config}:" in result.stderr and "not valid YAML" in result.stderr
    assert "unexpected" not in result.stderr and "--debug" not in result.stderr


def test_a_kubeconfig_without_clusters_says_so(tmp_path: Path) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text("apiVersion: v1\nkind: Config\n", encoding="utf-8")
    result = run(None, "status", kubeconfig=config)
    assert result.exit_code == 1
    assert str(config) in result.stderr and "no context" in result.stderr


# -- 11. Refused connections fail fast (transient faults keep their retries)


def test_a_refused_connection_is_not_retried_for_long(tmp_path: Path) -> None:
    config = kubeconfig_for(tmp_path, f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()
    result = process("status", "--kubeconfig", str(config))
    took = time.monotonic() - started
    assert result.returncode == 1
    assert "connection refused" in result.stderr and "retrying for up to 2s" in result.stderr
    # Not a speed test: the old policy slept 15.5 s in backoff alone before giving up.
    assert took < 15, f"{took:.1f}s: a refused connection was retried as a transient fault"


# -- 12. Preflight of a fresh cluster names the image pull Secret


def test_check_of_a_fresh_cluster_names_the_pull_secret_and_how_to_create_it(
    emu: Emulator, tmp_path: Path
) -> None:
    ready_for_release(emu)
    result = run(
        emu, "check", "-n", "fresh", "--create-namespace", "-f", str(values_file(tmp_path))
    )
    assert result.exit_code == 0, result.output  # the Secret can only follow the namespace
    line = next(x for x in result.stderr.splitlines() if "syntho-cr-secret" in x)
    assert line.startswith("warning: ") and "new namespace fresh" in line
    assert "kubectl -n fresh create secret docker-registry syntho-cr-secret" in line
    assert "--docker-server=syntho.azurecr.io" in line
    assert "check created nothing" in result.stderr
    assert "fresh" not in emu.names("Namespace")


def test_check_of_a_namespace_without_the_pull_secret_fails_with_the_command(
    emu: Emulator, tmp_path: Path
) -> None:
    ready_for_release(emu)
    emu.call(emu.kube.store.objects.pop, ("", "secrets", "syntho", "syntho-cr-secret"))
    result = run(emu, "check", "-f", str(values_file(tmp_path)))
    assert result.exit_code == 1
    assert "kubectl -n syntho create secret docker-registry syntho-cr-secret" in result.stderr
