"""The RayCluster: head group, worker groups and `ray start` params (syntho_ray.raycluster)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import builders
from support.schema_check import assert_valid

import syntho_ray
from syntho_ray import Release, ValuesInput, load_values, render_documents, values_from_mapping
from syntho_ray.build import raycluster
from syntho_ray.render import resolved_values, to_document
from syntho_ray.values.model import enabled_worker_groups

SHARED_MOUNTS = [
    {"mountPath": "/tmp/ray-workflows", "name": "ray-workflows"},
    {"mountPath": "/tmp/ray-data", "name": "ray-data"},
]
SHARED_VOLUMES = [
    {"name": "ray-workflows", "persistentVolumeClaim": {"claimName": "ray-workflows-claim"}},
    {"name": "ray-data", "persistentVolumeClaim": {"claimName": "ray-data-claim"}},
]
COMMON_LABELS = {
    "app.kubernetes.io/instance": "ray-cluster",
    "app.kubernetes.io/managed-by": "syntho-ray",
    "app.kubernetes.io/name": "kuberay",
}
CUSTOM = builders.CUSTOM["raycluster"]
CUSTOM_RELEASE = builders.CUSTOM_RELEASE


def _cluster(data: dict[str, Any], release: Release | None = None) -> dict[str, Any]:
    [cluster] = builders.built(raycluster.build, data, release)
    return cluster


def _head(data: dict[str, Any]) -> dict[str, Any]:
    head: dict[str, Any] = _cluster(data)["spec"]["headGroupSpec"]
    return head


def _groups(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["groupName"]: g for g in _cluster(data)["spec"].get("workerGroupSpecs", [])}


def _container(template: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = template["spec"]["containers"][0]
    return container


def _worker(group: dict[str, Any]) -> dict[str, Any]:
    return {"disabled": False, **group}


# -- schema ------------------------------------------------------------------------------------


def test_custom_full_render_is_schema_valid() -> None:
    docs = render_documents(values_from_mapping(CUSTOM), CUSTOM_RELEASE)
    assert_valid(docs, kuberay_version="v0.4.0")


# -- KNOWN-DEFECTS corrections ----------------------------------------------------------------


def test_extra_group_env_from_is_the_groups_own_list() -> None:  # KNOWN-DEFECTS 1
    env_from = [{"configMapRef": {"name": "settings"}}, {"secretRef": {"name": "creds"}}]
    groups = _groups({"additionalWorkerGroups": {"g": _worker({"envFrom": env_from})}})
    assert _container(groups["g"]["template"])["envFrom"] == env_from


def test_default_worker_group_uses_worker_volumes_after_shared_mounts() -> None:  # 2
    data = {
        "head": {
            "volumes": [{"name": "head-only", "emptyDir": {}}],
            "volumeMounts": [{"name": "head-only", "mountPath": "/head"}],
        },
        "worker": _worker(
            {
                "volumes": [{"name": "scratch", "emptyDir": {}}],
                "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}],
            }
        ),
    }
    template = _groups(data)["workergroup"]["template"]
    assert template["spec"]["volumes"] == [*SHARED_VOLUMES, {"emptyDir": {}, "name": "scratch"}]
    assert _container(template)["volumeMounts"] == [
        *SHARED_MOUNTS,
        {"mountPath": "/scratch", "name": "scratch"},
    ]


def test_head_keeps_its_own_volumes_after_shared_mounts() -> None:
    template = _head({})["template"]
    assert template["spec"]["volumes"] == [*SHARED_VOLUMES, {"emptyDir": {}, "name": "log-volume"}]
    assert _container(template)["volumeMounts"] == [
        *SHARED_MOUNTS,
        {"mountPath": "/tmp/ray", "name": "log-volume"},
    ]


def test_head_init_container_uses_init_container_security_context() -> None:  # 3
    head = _head(
        {
            "head": {
                "securityContext": {"runAsUser": 1000},
                "initContainer": {"securityContext": {"runAsUser": 0}},
            }
        }
    )
    [init] = head["template"]["spec"]["initContainers"]
    assert init["securityContext"] == {"runAsUser": 0}
    assert _container(head["template"])["securityContext"] == {"runAsUser": 1000}


def test_head_init_container_ignores_head_security_context() -> None:
    head = _head({"head": {"securityContext": {"runAsUser": 1000}}})
    [init] = head["template"]["spec"]["initContainers"]
    assert "securityContext" not in init


def test_partial_extra_group_renders_with_shared_mounts_and_min_replicas() -> None:  # 9
    groups = _groups({"additionalWorkerGroups": {"partial": _worker({"minReplicas": 3})}})
    group = groups["partial"]
    assert (group["replicas"], group["minReplicas"], group["maxReplicas"]) == (3, 3, 2147483647)
    assert group["template"]["spec"]["volumes"] == SHARED_VOLUMES
    container = _container(group["template"])
    assert container["volumeMounts"] == SHARED_MOUNTS
    assert [e["name"] for e in container["env"]] == ["LICENSE_KEY_SIGNED"]
    assert not {"ports", "envFrom", "resources"} & container.keys()  # KNOWN-DEFECTS 7


def test_explicit_zero_replica_bounds_are_kept() -> None:  # 10
    data = {"worker": _worker({"replicas": 0, "minReplicas": 0, "maxReplicas": 0})}
    group = _groups(data)["workergroup"]
    assert (group["replicas"], group["minReplicas"], group["maxReplicas"]) == (0, 0, 0)


def test_absent_replica_bounds_default_to_one_and_int32_max() -> None:
    group = _groups({"additionalWorkerGroups": {"g": _worker({})}})["g"]
    assert (group["replicas"], group["minReplicas"], group["maxReplicas"]) == (1, 1, 2147483647)


def test_mini_and_maxi_replicas_are_fallbacks() -> None:
    group = _groups(
        {"additionalWorkerGroups": {"g": _worker({"miniReplicas": 2, "maxiReplicas": 5})}}
    )["g"]
    assert (group["replicas"], group["minReplicas"], group["maxReplicas"]) == (2, 2, 5)


def test_min_and_max_replicas_win_over_mini_and_maxi() -> None:
    spec = {"minReplicas": 1, "maxReplicas": 3, "miniReplicas": 2, "maxiReplicas": 5}
    group = _groups({"additionalWorkerGroups": {"g": _worker(spec)}})["g"]
    assert (group["minReplicas"], group["maxReplicas"]) == (1, 3)


def test_explicit_zero_mini_replicas_is_kept() -> None:
    group = _groups({"additionalWorkerGroups": {"g": _worker({"miniReplicas": 0})}})["g"]
    assert (group["replicas"], group["minReplicas"]) == (0, 0)


def test_no_enabled_worker_group_omits_worker_group_specs() -> None:  # 7
    assert "workerGroupSpecs" not in _cluster({})["spec"]


ODD_STRINGS = [
    "key: value",
    "value #comment",
    "*alias",
    "&anchor",
    "!tag",
    "{flow",
    "[flow",
    "'quoted",
    '"double',
    "yes",
    "null",
    "~",
    "0x1F",
    "1e3",
    "- dash",
    "% percent",
    "@at",
    "`tick",
    "line one\nline two",
    "  leading spaces",
]
# Valid Kubernetes names that a YAML reader would take for something else than text.
AMBIGUOUS_NAMES = ["yes", "no", "on", "off", "y", "null", "true", "123", "1e3", "0x1f", "0o17"]


@pytest.mark.parametrize("text", ODD_STRINGS)
def test_strings_round_trip_exactly_through_the_yaml(text: str) -> None:  # 6
    data = {
        "SynthoLicense": text,
        "annotations": {"note": text},  # not an image: that must be a valid reference
        "head": {
            "rayStartParams": {"param": text},
            "containerEnv": [{"name": "NOTE", "value": text}],
        },
    }
    docs = render_documents(values_from_mapping(data))
    parsed = list(yaml.safe_load_all(syntho_ray.dump_yaml(docs)))
    assert parsed == docs
    secret = next(d for d in parsed if d["kind"] == "Secret")
    assert base64.b64decode(secret["data"]["license_key"]).decode() == text.strip()
    cluster = next(d for d in parsed if d["kind"] == "RayCluster")
    assert cluster["metadata"]["annotations"] == {"note": text}
    head = cluster["spec"]["headGroupSpec"]
    assert head["rayStartParams"]["param"] == text
    container = _container(head["template"])
    assert container["env"][0] == {"name": "NOTE", "value": text}


@pytest.mark.parametrize("name", AMBIGUOUS_NAMES)
def test_yaml_ambiguous_names_round_trip_as_text(name: str) -> None:  # 6
    # A cluster name must start with a letter (KubeRay names a Service after it).
    cluster_name = name if name[0].isalpha() else f"c{name}"
    data = {
        "clustername": cluster_name,
        "image": {"tag": name},
        "head": {"labels": {"tier": name}},
        "worker": _worker({"groupName": f"w{name}"}),
        "additionalWorkerGroups": {name: _worker({})},
    }
    docs = render_documents(values_from_mapping(data))
    parsed = list(yaml.safe_load_all(syntho_ray.dump_yaml(docs)))
    assert parsed == docs
    cluster = next(d for d in parsed if d["kind"] == "RayCluster")
    assert cluster["metadata"]["name"] == cluster_name
    head = cluster["spec"]["headGroupSpec"]["template"]
    assert head["metadata"]["labels"]["tier"] == name
    assert _container(head)["image"] == f"syntho.azurecr.io/syntho-ray:{name}"
    assert [g["groupName"] for g in cluster["spec"]["workerGroupSpecs"]] == [name, f"w{name}"]


# -- rayStartParams ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (4, "4"),
        (0, "0"),
        (100000000, "100000000"),
        (0.5, "0.5"),
        (1e6, "1e+06"),
        (1e-5, "1e-05"),
        (123456.0, "123456"),
        ("0.0.0.0", "0.0.0.0"),
    ],
)
def test_ray_start_params_are_rendered_as_helm_strings(value: Any, expected: str) -> None:
    params = _head({"head": {"rayStartParams": {"param": value}}})["rayStartParams"]
    assert params["param"] == expected


def test_ray_start_params_merge_over_the_chart_defaults() -> None:
    params = _head({"head": {"rayStartParams": {"num-cpus": 4}}})["rayStartParams"]
    assert params == {
        "block": "true",
        "dashboard-host": "0.0.0.0",
        "num-cpus": "4",
        "storage": "/tmp/ray-workflows",
    }


def test_init_args_override_ray_start_params() -> None:
    head = {"rayStartParams": {"num-cpus": 4, "block": True}, "initArgs": {"num-cpus": 8}}
    params = _head({"head": head})["rayStartParams"]
    assert params["num-cpus"] == "8"
    assert params["block"] == "true"


def test_storage_param_is_always_the_workflows_path() -> None:
    data = {
        "head": {"rayStartParams": {"storage": "/elsewhere"}},
        "additionalWorkerGroups": {"g": _worker({"rayStartParams": {"storage": "/x"}})},
    }
    assert _head(data)["rayStartParams"]["storage"] == "/tmp/ray-workflows"
    assert _groups(data)["g"]["rayStartParams"]["storage"] == "/tmp/ray-workflows"


def test_init_args_can_override_the_storage_param() -> None:
    params = _head({"head": {"initArgs": {"storage": "/mnt/workflows"}}})["rayStartParams"]
    assert params["storage"] == "/mnt/workflows"


def test_null_ray_start_param_is_left_out() -> None:
    params = _head({"head": {"rayStartParams": {"block": None}}})["rayStartParams"]
    assert "block" not in params


def test_worker_groups_get_their_own_ray_start_params() -> None:
    groups = _groups(CUSTOM)
    assert groups["gpuGroup"]["rayStartParams"] == {
        "num-gpus": "1",
        "storage": "/tmp/ray-workflows",
    }
    assert groups["workergroup"]["rayStartParams"] == {
        "block": "true",
        "storage": "/tmp/ray-workflows",
    }


# -- head -------------------------------------------------------------------------------------


def test_head_labels_are_merged_with_the_common_labels() -> None:
    labels = _head({"head": {"labels": {"role": "head", "tier": "ray"}}})["template"]["metadata"][
        "labels"
    ]
    assert labels == {**COMMON_LABELS, "role": "head", "tier": "ray"}


def test_worker_labels_are_merged_with_the_common_labels() -> None:
    group = _groups({"worker": _worker({"labels": {"role": "worker"}})})["workergroup"]
    assert group["template"]["metadata"]["labels"] == {**COMMON_LABELS, "role": "worker"}


def test_ray_version_autoscaling_and_options_are_absent_by_default() -> None:
    spec = _cluster({})["spec"]
    assert not {"rayVersion", "enableInTreeAutoscaling", "autoscalerOptions"} & spec.keys()


def test_ray_version_autoscaling_and_options_appear_when_set() -> None:
    spec = _cluster(CUSTOM)["spec"]
    assert spec["rayVersion"] == "2.9.3"
    assert spec["enableInTreeAutoscaling"] is True
    assert spec["autoscalerOptions"] == {"idleTimeoutSeconds": 120, "upscalingMode": "Conservative"}


def test_disabled_in_tree_autoscaling_is_left_out() -> None:
    assert (
        "enableInTreeAutoscaling"
        not in _cluster({"head": {"enableInTreeAutoscaling": False}})["spec"]
    )


def test_top_level_annotations_go_on_the_raycluster_only() -> None:
    cluster = _cluster({"annotations": {"team": "data"}, "worker": _worker({})})
    assert cluster["metadata"]["annotations"] == {"team": "data"}
    templates = [cluster["spec"]["headGroupSpec"]["template"]] + [
        g["template"] for g in cluster["spec"]["workerGroupSpecs"]
    ]
    for template in templates:
        assert "annotations" not in template["metadata"]


def test_raycluster_has_no_annotations_by_default() -> None:
    assert "annotations" not in _cluster({})["metadata"]


def test_head_pod_annotations_go_on_the_head_pod() -> None:
    head = _head({"head": {"annotations": {"prometheus.io/scrape": "true"}}})
    assert head["template"]["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}


def test_raycluster_is_named_clustername_in_release_namespace() -> None:
    cluster = _cluster(CUSTOM, CUSTOM_RELEASE)
    assert cluster["apiVersion"] == "ray.io/v1alpha1"
    assert cluster["metadata"]["name"] == "syntho-ray"
    assert cluster["metadata"]["namespace"] == "team-a"


def test_head_service_type_follows_service_type() -> None:
    assert _head({})["serviceType"] == "ClusterIP"
    assert _head({"service": {"type": "LoadBalancer"}})["serviceType"] == "LoadBalancer"


def test_head_init_container_can_be_switched_off() -> None:
    head = _head({"head": {"init_container_enabled": False}})
    assert "initContainers" not in head["template"]["spec"]


def test_license_env_comes_after_container_env() -> None:
    env = _container(_head({})["template"])["env"]
    assert [e["name"] for e in env] == ["RAY_SCHEDULER_SPREAD_THRESHOLD", "LICENSE_KEY_SIGNED"]


def test_sidecar_containers_follow_the_ray_container() -> None:
    sidecar = {"name": "logs", "image": "fluent-bit:3"}
    template = _head({"head": {"sidecarContainers": [sidecar]}})["template"]
    assert [c["name"] for c in template["spec"]["containers"]] == ["ray-head", "logs"]


# -- worker groups ----------------------------------------------------------------------------


def test_extra_groups_sorted_by_name_then_the_default_group_last() -> None:
    data = {
        "worker": _worker({"groupName": "aaa-default"}),
        "additionalWorkerGroups": {"zeta": _worker({}), "Beta": _worker({}), "alpha": _worker({})},
    }
    names = [g["groupName"] for g in _cluster(data)["spec"]["workerGroupSpecs"]]
    assert names == ["Beta", "alpha", "zeta", "aaa-default"]


def test_disabled_groups_are_left_out() -> None:
    data = {
        "worker": {"disabled": True},
        "additionalWorkerGroups": {"on": _worker({}), "off": {"disabled": True}},
    }
    assert list(_groups(data)) == ["on"]


def test_default_worker_group_is_disabled_by_default() -> None:
    assert _groups({"worker": {"replicas": 3}}) == {}


def test_null_worker_removes_the_default_group() -> None:
    assert "workergroup" not in _groups({"worker": None})


def test_null_extra_group_removes_it_like_helm(tmp_path: Path) -> None:
    enable = tmp_path / "enable.yaml"
    enable.write_text("additionalWorkerGroups:\n  smallGroup:\n    disabled: false\n")
    remove = tmp_path / "remove.yaml"
    remove.write_text("additionalWorkerGroups:\n  smallGroup: null\n")
    enabled = load_values(ValuesInput(files=[str(enable)]))
    assert [n for n, _ in enabled_worker_groups(enabled)] == ["smallGroup"]
    removed = load_values(ValuesInput(files=[str(enable), str(remove)]))
    assert enabled_worker_groups(removed) == []
    cluster = to_document(raycluster.raycluster(resolved_values(removed), Release()))
    assert "workerGroupSpecs" not in cluster["spec"]


def test_worker_init_container_waits_for_the_head() -> None:
    groups = _groups(CUSTOM)
    [init] = groups["gpuGroup"]["template"]["spec"]["initContainers"]
    assert init["name"] == "init"
    assert init["image"] == "busybox:1.36"
    assert init["command"][:2] == ["sh", "-c"]
    assert "nslookup $RAY_IP" in init["command"][2]
    [default_init] = groups["smallGroup"]["template"]["spec"]["initContainers"]
    assert default_init["image"] == "busybox:1.28"


def test_worker_scheduling_and_ports_reach_the_pod() -> None:
    groups = _groups(CUSTOM)
    spec = groups["workergroup"]["template"]["spec"]
    assert spec["nodeSelector"] == {"pool": "ray"}
    assert spec["tolerations"] == [{"effect": "NoSchedule", "key": "ray", "operator": "Exists"}]
    assert _container(groups["gpuGroup"]["template"])["ports"] == [
        {"containerPort": 9000, "name": "metrics"}
    ]


def test_every_ray_pod_uses_the_ray_image_and_pull_secrets() -> None:
    cluster = _cluster(CUSTOM)
    templates = [cluster["spec"]["headGroupSpec"]["template"]] + [
        g["template"] for g in cluster["spec"]["workerGroupSpecs"]
    ]
    for template in templates:
        assert _container(template)["image"] == "registry.example.com/syntho-ray:2.9.3-cpu"
        assert template["spec"]["imagePullSecrets"] == [{"name": "syntho-cr-secret"}]


# -- values files read like Helm reads them ---------------------------------------------------


def test_clock_time_in_a_values_file_stays_text(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "annotations:\n  maintenance-window: 12:30\nhead:\n  annotations:\n    window: 12:30\n",
        encoding="utf-8",
    )
    cluster = to_document(
        raycluster.raycluster(
            resolved_values(load_values(ValuesInput(files=[str(values)]))), Release()
        )
    )
    assert cluster["metadata"]["annotations"] == {"maintenance-window": "12:30"}
    pod_annotations = cluster["spec"]["headGroupSpec"]["template"]["metadata"]["annotations"]
    assert pod_annotations["window"] == "12:30"


def test_exponent_float_in_a_values_file_renders_like_helm(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("head:\n  rayStartParams:\n    memory: 1e6\n", encoding="utf-8")
    cluster = to_document(
        raycluster.raycluster(
            resolved_values(load_values(ValuesInput(files=[str(values)]))), Release()
        )
    )
    assert cluster["spec"]["headGroupSpec"]["rayStartParams"]["memory"] == "1e+06"
