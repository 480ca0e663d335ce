"""OpenShift: restricted-v2 pods and the CRI-O pids limit component (syntho_ray.openshift)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from support.schema_check import assert_valid
from test_cli import render

from syntho_ray import Release, values_from_mapping
from syntho_ray.build import openshift
from syntho_ray.notes import next_steps, warnings
from syntho_ray.output.kustomize import directory_files
from syntho_ray.output.stream import dump_yaml
from syntho_ray.podsecurity import evaluate, pod_templates
from syntho_ray.render import build_objects, render_documents
from syntho_ray.resolve import platform

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "snapshots" / "openshift"
OPENSHIFT: dict[str, Any] = {
    "SynthoLicense": "k",
    "platform": "openshift",
    "worker": {"disabled": False},
    "additionalWorkerGroups": {"smallGroup": {"disabled": False}},
}


def _documents(data: dict[str, Any]) -> list[dict[str, Any]]:
    return render_documents(values_from_mapping(data))


def _pods(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cluster = next(d for d in documents if d["kind"] == "RayCluster")
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    groups = [cluster["spec"]["headGroupSpec"], *cluster["spec"]["workerGroupSpecs"]]
    return [g["template"]["spec"] for g in groups] + [deployment["spec"]["template"]["spec"]]


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def test_pods_have_no_fixed_ids_and_no_root_chmod() -> None:
    pods = _pods(_documents(OPENSHIFT))
    head = pods[0]
    assert "initContainers" not in head
    text = yaml.safe_dump(pods)
    for key in ("runAsUser", "runAsGroup", "fsGroup", "supplementalGroups", "chmod"):
        assert key not in text


def test_every_container_has_restricted_v2s_settings() -> None:
    for pod in _pods(_documents(OPENSHIFT)):
        for container in _containers(pod):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["runAsNonRoot"] is True
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}


def test_every_pod_meets_the_restricted_pod_security_level() -> None:
    objects = build_objects(values_from_mapping(OPENSHIFT))
    levels = {name: evaluate(name, spec).level for name, spec in pod_templates(objects)}
    assert set(levels.values()) == {"restricted"}, levels


def test_a_users_own_setting_wins() -> None:
    data = OPENSHIFT | {
        "head": {"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}}
    }
    head = _pods(_documents(data))[0]["containers"][0]["securityContext"]
    assert head["capabilities"] == {"add": ["NET_BIND_SERVICE"]}
    assert head["runAsNonRoot"] is True


def test_objects_stay_schema_valid() -> None:
    assert_valid(_documents(OPENSHIFT), kuberay_version="v0.4.0")


def test_fixed_ids_the_user_sets_warn() -> None:
    data = OPENSHIFT | {
        "head": {"securityContext": {"runAsUser": 1000}},
        "podSecurityContext": {"fsGroup": 2000},
    }
    found = [w for w in warnings(values_from_mapping(data), data) if "restricted-v2" in w]
    assert [w.split(":")[0] for w in found] == [
        "podSecurityContext.fsGroup",
        "head.securityContext.runAsUser",
    ]


def test_the_component_raises_the_pids_limit_of_the_worker_pool() -> None:
    values = values_from_mapping(OPENSHIFT)
    files = directory_files(
        render_documents(values), "syntho", "0.4.0", openshift.components(values)
    )
    kustomization = yaml.safe_load("".join(files["openshift/kustomization.yaml"][0]))
    assert "namespace" not in kustomization
    (resource,) = kustomization["resources"]
    config = yaml.safe_load("".join(files[f"openshift/{resource}"][0]))
    assert config["kind"] == "ContainerRuntimeConfig"
    assert config["apiVersion"] == "machineconfiguration.openshift.io/v1"
    assert config["spec"]["containerRuntimeConfig"] == {"pidsLimit": 8096}
    selector = config["spec"]["machineConfigPoolSelector"]["matchLabels"]
    assert selector == {"pools.operator.machineconfiguration.openshift.io/worker": ""}
    assert "namespace" not in config["metadata"]


def test_without_the_platform_nothing_changes() -> None:
    values = values_from_mapping({})
    assert platform.adapted(values) is values
    assert openshift.components(values) == {}


def test_next_steps_tell_the_cluster_admin_what_to_apply() -> None:
    values = values_from_mapping(OPENSHIFT)
    steps = "\n".join(next_steps(values, Release(), "out"))
    assert "kubectl apply -k out/openshift   # cluster admin, once: CRI-O pids limit 8096" in steps
    assert "-o DIR" in "\n".join(next_steps(values, Release(), None))


def test_platform_flag_writes_the_component_and_a_rerender_without_it_removes_it(
    tmp_path: Path,
) -> None:
    out = tmp_path / "manifests"
    assert (
        render("-q", "--set", "SynthoLicense=k", "--platform", "openshift", "-o", out).exit_code
        == 0
    )
    assert (out / "openshift" / "kustomization.yaml").is_file()
    assert render("-q", "--set", "SynthoLicense=k", "-o", out).exit_code == 0
    assert not (out / "openshift").exists()


def test_an_unknown_platform_is_refused() -> None:
    result = render("--platform", "openshfit")
    assert result.exit_code == 2  # a wrong command line (exit codes: README)
    assert "--platform" in result.output and "'openshift'" in result.output
    in_values = render("--set", "platform=openshfit")
    assert in_values.exit_code == 1
    assert "platform: must be one of 'kubernetes' or 'openshift'" in in_values.stderr


def test_openshift_render_matches_snapshot(snapshot: Any) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(dump_yaml(_documents(OPENSHIFT)), "custom.yaml")
