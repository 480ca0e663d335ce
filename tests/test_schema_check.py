"""The schema checker must pass valid objects and name every problem of broken ones."""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from support import schema_check
from support.schema_check import (
    LATEST_KUBERNETES,
    UNDECLARED,
    assert_valid,
    crd_schema,
    problems,
    shared_or_skip,
)

CONTAINER = "$.spec.template.spec.containers[0]"
HEAD = "$.spec.headGroupSpec"
HEAD_CONTAINER = f"{HEAD}.template.spec.containers[0]"


def deployment() -> dict[str, Any]:
    labels = {"app.kubernetes.io/name": "kuberay"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kuberay-operator", "namespace": "syntho", "labels": dict(labels)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "containers": [
                        {
                            "name": "operator",
                            "image": "kuberay/operator:v0.4.0",
                            "ports": [{"name": "http", "containerPort": 8080}],
                            "resources": {"limits": {"cpu": 1, "memory": "512Mi"}},
                        }
                    ]
                },
            },
        },
    }


def service() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kuberay-operator", "namespace": "syntho"},
        "spec": {
            "selector": {"app.kubernetes.io/name": "kuberay"},
            "ports": [{"name": "http", "port": 8080, "targetPort": "http"}],
        },
    }


def raycluster(api_version: str = "ray.io/v1alpha1") -> dict[str, Any]:
    container = {
        "name": "ray-head",
        "image": "rayproject/ray:2.9.0",
        "resources": {"limits": {"cpu": 1, "memory": "2G"}},
        "ports": [{"name": "gcs", "containerPort": 6379}],
    }
    worker = copy.deepcopy(container) | {"name": "ray-worker"}
    return {
        "apiVersion": api_version,
        "kind": "RayCluster",
        "metadata": {"name": "ray-cluster", "namespace": "syntho"},
        "spec": {
            "headGroupSpec": {
                "serviceType": "ClusterIP",
                "rayStartParams": {"dashboard-host": "0.0.0.0", "block": "true"},
                "template": {"spec": {"containers": [container]}},
            },
            "workerGroupSpecs": [
                {
                    "groupName": "workers",
                    "replicas": 1,
                    "minReplicas": 0,
                    "maxReplicas": 2147483647,
                    "rayStartParams": {"block": "true"},
                    "template": {"spec": {"containers": [worker]}},
                }
            ],
        },
    }


def paths(found: list[str]) -> list[str]:
    """The json paths of problems (the part after '<Kind>/<name>: ')."""
    return [p.split(": ")[1] for p in found]


@pytest.fixture
def shared() -> None:
    shared_or_skip()


def test_valid_core_objects_pass() -> None:
    assert problems(deployment()) == []
    assert problems(service()) == []
    assert_valid([deployment(), service()])


@pytest.mark.usefixtures("shared")
@pytest.mark.parametrize(
    ("kuberay", "api_version"),
    [("v0.4.0", "ray.io/v1alpha1"), ("v1.2.2", "ray.io/v1"), ("v1.2.2", "ray.io/v1alpha1")],
)
def test_valid_raycluster_passes(kuberay: str, api_version: str) -> None:
    assert problems(raycluster(api_version), kuberay_version=kuberay) == []


def test_typo_in_deployment_container_is_named_with_its_path() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    assert problems(obj) == [
        f"Deployment/kuberay-operator: {CONTAINER}.imagePullPolicyy: "
        "unknown field (not in the Kubernetes schema)"
    ]


def test_wrong_types_are_reported() -> None:
    obj = deployment()
    obj["spec"]["replicas"] = "3"
    obj["metadata"]["labels"]["version"] = 1.0
    obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = 2**31
    assert problems(obj) == [
        "Deployment/kuberay-operator: $.metadata.labels.version: 1.0 is not of type string",
        'Deployment/kuberay-operator: $.spec.replicas: "3" is not of type integer',
        f"Deployment/kuberay-operator: {CONTAINER}.ports[0].containerPort: "
        "2147483648 is out of range for int32",
    ]


def test_int_or_string_rejects_other_types() -> None:
    obj = service()
    obj["spec"]["ports"][0]["targetPort"] = 80.5
    assert paths(problems(obj)) == ["$.spec.ports[0].targetPort"]
    assert "80.5 is not of type string or integer" in problems(obj)[0]


def test_agrees_with_kubernetes_validate_on_the_first_error() -> None:
    """Our cached validators are built as kubernetes_validate builds its own."""
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["imagee"] = "x"
    kubernetes_validate.validate(deployment(), LATEST_KUBERNETES, strict=True)
    with pytest.raises(kubernetes_validate.ValidationError) as caught:
        kubernetes_validate.validate(obj, LATEST_KUBERNETES, strict=True)
    assert list(caught.value.path) == ["spec", "template", "spec", "containers", 0]
    assert paths(problems(obj)) == [f"{CONTAINER}.imagee"]


def test_null_values_are_named_once() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["securityContext"] = None
    obj["spec"]["template"]["spec"]["containers"][0]["ports"] = None
    obj["spec"]["replicas"] = None
    assert problems(obj) == [
        "Deployment/kuberay-operator: $.spec.replicas: null value",
        f"Deployment/kuberay-operator: {CONTAINER}.ports: null value",
        "Deployment/kuberay-operator: $.spec.template.spec.securityContext: null value",
    ]


def test_missing_name_and_unknown_kind_are_reported() -> None:
    found = problems({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {}})
    assert paths(found) == ["$.kind", "$.metadata.name"]


@pytest.mark.usefixtures("shared")
def test_raycluster_unknown_fields_are_reported() -> None:
    obj = raycluster()
    head = obj["spec"]["headGroupSpec"]
    head["headService"] = {"metadata": {"name": "head"}}  # declared from KubeRay 1.0 on
    head["template"]["spec"]["containers"][0]["imagee"] = "x"
    obj["spec"]["workerGroupSpecs"][0]["template"]["spec"]["tolerations"] = [{"efect": "x"}]
    obj["spec"]["enableInTreeAutoscaler"] = True
    expected = [
        f"{HEAD_CONTAINER}.imagee",
        f"{HEAD}.headService",
        "$.spec.enableInTreeAutoscaler",
        "$.spec.workerGroupSpecs[0].template.spec.tolerations[0].efect",
    ]
    assert sorted(problems(obj)) == sorted(
        f"RayCluster/ray-cluster: {p}: {UNDECLARED}" for p in expected
    )
    obj["apiVersion"] = "ray.io/v1"
    assert paths(problems(obj, kuberay_version="v1.2.2")) == sorted(expected[:1] + expected[2:])


@pytest.mark.usefixtures("shared")
def test_pod_templates_are_fully_declared_in_the_crd() -> None:
    """No node of the v0.4.0 schema keeps unknown fields, so the undeclared walk reaches pods."""
    container = crd_schema("v0.4.0", "ray.io/v1alpha1")["properties"]["spec"]["properties"][
        "headGroupSpec"
    ]["properties"]["template"]["properties"]["spec"]["properties"]["containers"]["items"]
    assert "imagePullPolicy" in container["properties"]
    assert "additionalProperties" not in container
    assert "x-kubernetes-preserve-unknown-fields" not in str(
        crd_schema("v0.4.0", "ray.io/v1alpha1")
    )


@pytest.mark.usefixtures("shared")
def test_raycluster_types_required_and_nulls_are_reported() -> None:
    obj = raycluster()
    head = obj["spec"]["headGroupSpec"]
    head["rayStartParams"]["block"] = True
    head["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = 0.5
    head["template"]["spec"]["securityContext"] = None
    group = obj["spec"]["workerGroupSpecs"][0]
    del group["groupName"]
    group["template"]["spec"]["containers"] = []
    group["maxReplicas"] = 2**31
    obj["metadata"]["labels"] = {"version": 2}
    assert problems(obj) == [
        f"RayCluster/ray-cluster: {p}"
        for p in [
            "$.metadata.labels.version: 2 is not of type string",
            f"{HEAD}.rayStartParams.block: true is not of type string",
            f"{HEAD_CONTAINER}.resources.limits.cpu: 0.5 is not of type integer or string",
            f"{HEAD}.template.spec.securityContext: null value",
            "$.spec.workerGroupSpecs[0].groupName: required but missing",
            "$.spec.workerGroupSpecs[0].maxReplicas: 2147483648 is out of range for int32",
            "$.spec.workerGroupSpecs[0].template.spec.containers: required but empty",
        ]
    ]


@pytest.mark.usefixtures("shared")
def test_raycluster_api_version_must_be_served() -> None:
    assert problems(raycluster("ray.io/v1")) == [
        "RayCluster/ray-cluster: $.apiVersion: "
        "ray.io/v1 is not served by the KubeRay v0.4.0 CRD (ray.io/v1alpha1)"
    ]
    with pytest.raises(ValueError, match=r"does not serve ray\.io/v1 "):
        crd_schema("v0.4.0", "ray.io/v1")


@pytest.mark.usefixtures("shared")
def test_assert_valid_lists_every_problem_of_every_object() -> None:
    broken = deployment()
    broken["spec"]["replicas"] = None
    cluster = raycluster("ray.io/v1")
    with pytest.raises(AssertionError) as caught:
        assert_valid([service(), broken, cluster], kuberay_version="v0.4.0")
    assert str(caught.value).splitlines() == [
        "2 schema problem(s):",
        "Deployment/kuberay-operator: $.spec.replicas: null value",
        "RayCluster/ray-cluster: $.apiVersion: "
        "ray.io/v1 is not served by the KubeRay v0.4.0 CRD (ray.io/v1alpha1)",
    ]
    assert_valid([cluster], kuberay_version="v1.2.2")


def test_reference_default_output_has_only_its_known_nulls() -> None:
    """KNOWN-DEFECTS.md 7: the reference renders `workerGroupSpecs: null` (no workers by default)
    and `securityContext: null` on the operator pod; everything else is valid."""
    rendered = shared_or_skip() / "reference" / "rendered" / "01-default.yaml"
    objs = [o for o in yaml.safe_load_all(rendered.read_text()) if o]
    assert len(objs) == 10
    found = {f"{o['kind']}/{o['metadata']['name']}": problems(o) for o in objs}
    assert found.pop("RayCluster/ray-cluster") == [
        "RayCluster/ray-cluster: $.spec.workerGroupSpecs: null value"
    ]
    assert found.pop("Deployment/kuberay-operator") == [
        "Deployment/kuberay-operator: $.spec.template.spec.securityContext: null value"
    ]
    assert {key: p for key, p in found.items() if p} == {}


@pytest.mark.usefixtures("shared")
def test_ten_objects_take_well_under_a_second_once_warm() -> None:
    objs = [deployment(), service(), raycluster()] * 3 + [deployment()]
    assert_valid(objs)  # warm-up: loads the CRD and the definitions once
    start = time.perf_counter()
    assert_valid(objs)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("case", ["02-production", "03-development", "06-names"])
def test_reference_cases_have_no_problem_but_nulls(case: str) -> None:
    """With worker groups, the known null is each worker container's `ports: null`."""
    rendered = shared_or_skip() / "reference" / "rendered" / f"{case}.yaml"
    found = [p for o in yaml.safe_load_all(rendered.read_text()) if o for p in problems(o)]
    assert found
    assert all(p.endswith(": null value") for p in found), found


def test_missing_shared_skips_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(schema_check, "SHARED", tmp_path / "absent")
    with pytest.raises(pytest.skip.Exception, match=r"\.\./shared not found: "):
        shared_or_skip()
