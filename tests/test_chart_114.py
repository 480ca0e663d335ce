"""Chart 1.14's values: defaults, strict keys, layout detection and the objects each key makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syntho_ray import ValuesError, ValuesInput, load_values, render_documents, render_yaml
from syntho_ray.facts.charts import chart_of_release
from syntho_ray.values.loading import values_from_mapping
from syntho_ray.values.model import Values
from syntho_ray.values.model114 import Values114, chart_defaults_114


def _docs(data: dict[str, Any]) -> list[dict[str, Any]]:
    return render_documents(values_from_mapping(data, chart="1.14"))


def _find(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and name in (None, d["metadata"]["name"]))


def _problems(data: dict[str, Any], chart: str | None = "1.14") -> list[str]:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping(data, chart=chart)  # type: ignore[arg-type]
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def _args(docs: list[dict[str, Any]]) -> list[str]:
    deployment = _find(docs, "Deployment")
    return list(deployment["spec"]["template"]["spec"]["containers"][0].get("args") or [])


def test_defaults_are_the_charts_values_over_its_subcharts() -> None:
    defaults = chart_defaults_114()
    operator, cluster = defaults["kuberay-operator"], defaults["ray-cluster"]
    assert defaults["SynthoLicense"] == "<license-key>"
    assert defaults["storage"] == {"storageClassName": "default"}
    assert operator["image"]["tag"] == "1.4.0"
    assert operator["singleNamespaceInstall"] is True  # the umbrella's; the subchart says false
    assert operator["featureGates"] == [{"name": "RayClusterStatusConditions", "enabled": False}]
    assert cluster["image"]["repository"] == "synthoregistry.azurecr.io/syntho-ray"
    assert cluster["head"]["resources"]["limits"] == {"cpu": "8", "memory": "32G"}
    assert cluster["head"]["initContainers"][0]["name"] == "init-busybox"
    assert cluster["worker"]["disabled"] is True
    assert cluster["additionalWorkerGroups"]["smallGroup"]["maxReplicas"] == 3


def test_unknown_keys_inside_the_layout_suggest_the_right_one() -> None:
    found = _problems(
        {
            "kuberay-operator": {"singleNamespaceInstal": True},
            "ray-cluster": {"head": {"imag": {}}, "wroker": {}},
        }
    )
    assert (
        "kuberay-operator.singleNamespaceInstal: unknown key "
        "(did you mean 'singleNamespaceInstall'?)" in found
    )
    assert "ray-cluster.head.imag: unknown key (did you mean 'image'?)" in found
    assert "ray-cluster.wroker: unknown key (did you mean 'worker'?)" in found


def test_kubernetes_parts_are_checked_as_in_1_13() -> None:
    found = _problems(
        {
            "ray-cluster": {"head": {"tolerations": [{"key": "a", "opertor": "Exists"}]}},
            "kuberay-operator": {"env": [{"value": "x"}]},
        }
    )
    assert any(
        p.startswith("ray-cluster.head.tolerations[0].opertor: unknown field") for p in found
    )
    assert any(p.startswith("kuberay-operator.env[0].name") for p in found)


def test_operator_settings_kuberay_1_2_2_refuses_are_refused() -> None:
    found = _problems(
        {
            "kuberay-operator": {
                "batchScheduler": {"enabled": True, "name": "volcano"},
                "featureGates": [{"name": "RayJobDeletionPolicy", "enabled": True}],
                "logging": {"baseDir": "/tmp/logs"},
            }
        }
    )
    assert any(p.startswith("kuberay-operator.batchScheduler.name: set either") for p in found)
    assert any(p.startswith("kuberay-operator.featureGates[0].name: KubeRay 1.2.2") for p in found)
    assert any(p.startswith("kuberay-operator.logging.fileName: required") for p in found)


def test_worker_group_bounds_and_names_are_checked() -> None:
    found = _problems(
        {"ray-cluster": {"worker": {"disabled": False, "minReplicas": 4, "maxReplicas": 2}}}
    )
    assert found == ["ray-cluster.worker.minReplicas: minReplicas 4 is above maxReplicas 2"]


def test_the_1_14_layout_is_detected_without_chart() -> None:
    assert isinstance(values_from_mapping({"ray-cluster": {}}), Values114)
    assert isinstance(values_from_mapping({"kuberay-operator": {}}), Values114)
    assert isinstance(values_from_mapping({"SynthoLicense": "x"}), Values)  # the default
    assert isinstance(values_from_mapping({"SynthoLicense": "x"}, chart="1.14"), Values114)


def test_mixing_the_layouts_names_every_key_of_the_other(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("ray-cluster:\n  head: {}\nhead:\n  labels: {}\nrbacEnable: false\n")
    with pytest.raises(ValuesError) as caught:
        load_values(ValuesInput(files=[str(values)]))
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 2
    assert lines[0].startswith(f"{values}:3: head: a key of chart 1.13's layout")
    assert "in chart 1.14 it is ray-cluster.head" in lines[0]
    assert lines[1].startswith(f"{values}:5: rbacEnable:")
    assert "kuberay-operator.rbacEnable" in lines[1]


def test_a_chart_option_against_the_file_names_the_keys(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("SynthoLicense: x\nkuberay-operator: {}\n")
    with pytest.raises(ValuesError) as caught:
        load_values(ValuesInput(files=[str(values)], chart="1.13"))
    (problem,) = caught.value.problems
    assert problem.line == 2 and problem.path == "kuberay-operator"
    assert "--chart 1.13" in problem.message


def test_layouts_mixed_across_files_and_set(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("ray-cluster: {}\n")
    given = ValuesInput(files=[str(values)], set_values=["worker.replicas=2"])
    with pytest.raises(ValuesError) as caught:
        load_values(given)
    (problem,) = caught.value.problems
    assert problem.source == "--set worker.replicas" and problem.path == "worker"


def test_generation_of_a_helm_release_record() -> None:
    assert chart_of_release("ray-cluster", "1.13.0") == "1.13"
    assert chart_of_release("ray", "1.14.0") == "1.14"
    assert chart_of_release("ray", "1.14.3") == "1.14"
    assert chart_of_release("ray", "1.13.0") is None
    assert chart_of_release("kuberay-operator", "1.2.2") is None


def test_render_yaml_takes_the_chart() -> None:
    text = render_yaml({"SynthoLicense": "k"}, chart="1.14")
    assert "apiVersion: ray.io/v1\nkind: RayCluster" in text
    assert "kuberay-operator-leader-election" in text


def test_manual_secret_name_points_the_default_license_env_at_it() -> None:  # defect 5
    docs = _docs({"manualSecretName": "my-license"})
    assert not [d for d in docs if d["kind"] == "Secret"]
    head = _find(docs, "RayCluster")["spec"]["headGroupSpec"]["template"]["spec"]
    (env,) = head["containers"][0]["env"]
    assert env["valueFrom"]["secretKeyRef"] == {"key": "license_key", "name": "my-license"}


def test_the_license_is_a_string_byte_for_byte() -> None:  # defect 2
    secret = _find(_docs({"SynthoLicense": "0042"}), "Secret")
    assert secret["data"] == {"license_key": "MDA0Mg=="}


def test_rbac_enable_false_renders_no_rbac() -> None:
    kinds = {d["kind"] for d in _docs({"kuberay-operator": {"rbacEnable": False}})}
    assert kinds == {
        "ServiceAccount",
        "Secret",
        "PersistentVolumeClaim",
        "Service",
        "Deployment",
        "RayCluster",
    }


def test_watch_namespaces_get_a_role_each_and_leader_election_stays_home() -> None:
    docs = _docs({"kuberay-operator": {"watchNamespace": ["team-a", "team-b"]}})
    roles = sorted(
        (d["metadata"]["name"], d["metadata"]["namespace"]) for d in docs if d["kind"] == "Role"
    )
    assert roles == [
        ("kuberay-operator", "team-a"),
        ("kuberay-operator", "team-b"),
        ("kuberay-operator-leader-election", "syntho"),
    ]
    assert _args(docs)[1:3] == ["--watch-namespace", "team-a,team-b"]


def test_without_namespaced_rbac_only_leader_election_is_granted() -> None:
    docs = _docs({"kuberay-operator": {"crNamespacedRbacEnable": False}})
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "Role"] == [
        "kuberay-operator-leader-election"
    ]


def test_cluster_wide_install_watches_every_namespace() -> None:
    docs = _docs({"kuberay-operator": {"singleNamespaceInstall": False}})
    assert "--watch-namespace" not in _args(docs)
    binding = _find(docs, "ClusterRoleBinding")
    assert "namespace" not in binding["metadata"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "kuberay-operator", "namespace": "syntho"}
    ]


def test_deprecated_batch_scheduler_enabled_adds_the_flag_and_volcano_rules() -> None:
    docs = _docs({"kuberay-operator": {"batchScheduler": {"enabled": True}}})
    assert "--enable-batch-scheduler" in _args(docs)
    rules = _find(docs, "Role", "kuberay-operator")["rules"]
    assert {
        "apiGroups": ["scheduling.volcano.sh"],
        "resources": ["podgroups"],
        "verbs": ["create", "delete", "get", "list", "update", "watch"],
    } in rules


def test_leader_election_and_proxy_flags_follow_the_values() -> None:
    docs = _docs(
        {"kuberay-operator": {"leaderElectionEnabled": False, "useKubernetesProxy": False}}
    )
    assert _args(docs)[-2:] == ["--use-kubernetes-proxy=false", "--enable-leader-election=false"]
    assert _args(_docs({"kuberay-operator": {"featureGates": []}}))[0] == "--watch-namespace"


def test_worker_groups_keep_the_charts_order_and_defaults() -> None:
    docs = _docs(
        {
            "ray-cluster": {
                "worker": {"disabled": False},
                "additionalWorkerGroups": {"b": {"replicas": 1}, "a": {"numOfHosts": 2}},
            }
        }
    )
    groups = _find(docs, "RayCluster")["spec"]["workerGroupSpecs"]
    assert [g["groupName"] for g in groups] == ["a", "b", "workergroup"]
    assert (groups[0]["minReplicas"], groups[0]["maxReplicas"], groups[0]["numOfHosts"]) == (
        0,
        2147483647,
        2,
    )
    assert "replicas" not in groups[0]
    assert groups[1]["template"]["spec"]["containers"][0]["env"][0]["name"] == "LICENSE_KEY_SIGNED"


def test_group_pod_settings_reach_the_pod() -> None:
    docs = _docs(
        {
            "ray-cluster": {
                "head": {
                    "serviceAccountName": "ray-head",
                    "restartPolicy": "Always",
                    "priorityClassName": "high",
                    "priority": 10,
                    "image": {"repository": "r/ray", "tag": "2.9.0"},
                    "command": ["ray"],
                    "args": ["start"],
                }
            }
        }
    )
    spec = _find(docs, "RayCluster")["spec"]["headGroupSpec"]["template"]["spec"]
    assert (spec["serviceAccountName"], spec["restartPolicy"]) == ("ray-head", "Always")
    assert (spec["priorityClassName"], spec["priority"]) == ("high", 10)
    container = spec["containers"][0]
    assert (container["image"], container["command"], container["args"]) == (
        "r/ray:2.9.0",
        ["ray"],
        ["start"],
    )


def test_the_json_schema_of_chart_1_14_accepts_every_reference_case() -> None:
    import jsonschema
    import yaml
    from support.schema_check import SHARED, shared_or_skip

    from syntho_ray.values.schema import values_schema

    shared_or_skip()
    schema = values_schema(Values114)
    assert set(schema["properties"]) >= {"kuberay-operator", "ray-cluster", "SynthoLicense"}
    for case in sorted((SHARED / "reference" / "chart-1.14" / "cases").glob("*.yaml")):
        data = yaml.safe_load(case.read_text())
        assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == [], case.name


def test_syntho_rays_own_1_13_settings_say_chart_1_14_has_none() -> None:
    found = _problems({"ray-cluster": {}, "platform": "openshift"}, chart=None)
    assert found == [
        "platform: a key of chart 1.13's layout, but the values are read as chart 1.14 "
        "(ray-cluster: in values); chart 1.14 has no such key (--platform and platform: are "
        "for chart 1.13)"
    ]
