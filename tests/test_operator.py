"""The KubeRay operator's Deployment and Service (syntho_ray.operator)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from support import builders

from syntho_ray import Release
from syntho_ray.build import operator

CUSTOM = builders.CUSTOM["operator"]
CUSTOM_RELEASE = builders.CUSTOM_RELEASE
FLAG = re.compile(r"^--[a-z][a-z0-9-]*=\S+$")


def _documents(data: dict[str, Any], release: Release | None = None) -> list[dict[str, Any]]:
    return builders.built(operator.build, data, release)


def _deployment(data: dict[str, Any], release: Release | None = None) -> dict[str, Any]:
    return next(d for d in _documents(data, release) if d["kind"] == "Deployment")


def _service(data: dict[str, Any], release: Release | None = None) -> dict[str, Any]:
    return next(d for d in _documents(data, release) if d["kind"] == "Service")


def _pod(data: dict[str, Any], release: Release | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = _deployment(data, release)["spec"]["template"]["spec"]
    return spec


def _command(data: dict[str, Any], release: Release | None = None) -> list[str]:
    command: list[str] = _pod(data, release)["containers"][0]["command"]
    return command


@pytest.mark.parametrize("batch", [False, True])
def test_command_flags_are_all_name_equals_value(batch: bool) -> None:
    command = _command({"batchScheduler": {"enabled": batch}})
    assert command[0] == "/manager"
    assert all(FLAG.match(arg) for arg in command[1:]), command


def test_operator_watches_only_the_release_namespace_with_forced_upgrade() -> None:
    command = _command({}, Release(namespace="team-a"))
    assert command == ["/manager", "--watch-namespace=team-a", "--forced-cluster-upgrade=true"]


def test_batch_scheduler_flag_present_when_enabled() -> None:
    assert "--enable-batch-scheduler=true" in _command({"batchScheduler": {"enabled": True}})


def test_batch_scheduler_flag_absent_when_disabled() -> None:
    assert not any("batch-scheduler" in arg for arg in _command({}))


def test_container_has_no_separate_args() -> None:
    container = _pod({"batchScheduler": {"enabled": True}})["containers"][0]
    assert "args" not in container


def test_deployment_and_service_carry_the_namespace() -> None:
    for doc in _documents({}, Release(namespace="team-a")):
        assert doc["metadata"]["namespace"] == "team-a", doc["kind"]


def test_pod_security_context_renders_as_the_pod_security_context() -> None:
    pod = _pod({"podSecurityContext": {"runAsNonRoot": True, "fsGroup": 2000}})
    assert pod["securityContext"] == {"fsGroup": 2000, "runAsNonRoot": True}
    assert "securityContext" not in pod["containers"][0]


def test_pod_security_context_absent_by_default() -> None:
    pod = _pod({})
    assert "securityContext" not in pod
    assert "securityContext" not in pod["containers"][0]


def test_container_security_context_goes_on_the_container() -> None:
    pod = _pod({"securityContext": {"readOnlyRootFilesystem": True}})
    assert pod["containers"][0]["securityContext"] == {"readOnlyRootFilesystem": True}
    assert "securityContext" not in pod


def test_node_selector_tolerations_and_affinity_reach_the_pod() -> None:
    pod = _pod(CUSTOM)
    assert pod["nodeSelector"] == CUSTOM["nodeSelector"]
    assert pod["tolerations"] == CUSTOM["tolerations"]
    assert pod["affinity"] == CUSTOM["affinity"]


def test_empty_scheduling_constraints_are_left_out() -> None:
    pod = _pod({})
    assert not {"nodeSelector", "tolerations", "affinity"} & pod.keys()


def test_image_pull_policy_resources_and_pull_secrets_come_from_values() -> None:
    pod = _pod(CUSTOM)
    container = pod["containers"][0]
    assert container["image"] == "registry.example.com/kuberay-operator:0.5.0"
    assert container["imagePullPolicy"] == "Always"
    assert container["resources"] == CUSTOM["resources"]
    assert pod["imagePullSecrets"] == [{"name": "mirror"}]


def test_probes_take_their_timing_from_values() -> None:
    container = _pod(CUSTOM)["containers"][0]
    for probe, key in (("livenessProbe", "livenessProbe"), ("readinessProbe", "readinessProbe")):
        assert container[probe] == {
            "httpGet": {"path": "/metrics", "port": "http"},
            **CUSTOM[key],
        }


def test_service_type_and_port_come_from_values_and_target_the_http_port() -> None:
    service = _service(CUSTOM)
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 9090, "protocol": "TCP", "targetPort": "http"}
    ]
    ports = _pod(CUSTOM)["containers"][0]["ports"]
    assert ports == [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]


def test_service_and_deployment_select_the_operator_pods() -> None:
    deployment = _deployment(CUSTOM, CUSTOM_RELEASE)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = (
        deployment["spec"]["selector"]["matchLabels"],
        _service(CUSTOM, CUSTOM_RELEASE)["spec"]["selector"],
    )
    for selector in selectors:
        assert selector.items() <= labels.items()
        assert selector["app.kubernetes.io/instance"] == "prod"


def test_deployment_recreates_a_single_replica_with_argocd_replace() -> None:
    deployment = _deployment({})
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert deployment["metadata"]["annotations"] == {
        "argocd.argoproj.io/sync-options": "Replace=true"
    }


@pytest.mark.parametrize(
    ("overrides", "release", "expected"),
    [
        pytest.param({}, "anything", "kuberay-operator", id="fullnameOverride-default"),
        pytest.param(
            {"fullnameOverride": "my-operator"}, "anything", "my-operator", id="fullnameOverride"
        ),
        pytest.param(
            {"fullnameOverride": "", "nameOverride": ""},
            "ray-cluster",
            "ray-cluster",
            id="release-equals-chart-name",
        ),
        pytest.param(
            {"fullnameOverride": ""}, "my-kuberay-prod", "my-kuberay-prod", id="release-has-name"
        ),
        pytest.param({"fullnameOverride": ""}, "prod", "prod-kuberay", id="release-dash-name"),
        pytest.param(
            {"fullnameOverride": "", "nameOverride": ""},
            "prod",
            "prod-ray-cluster",
            id="release-dash-chart-name",
        ),
        pytest.param({"fullnameOverride": ""}, "a" * 60, "a" * 60 + "-ku", id="truncated-to-63"),
        pytest.param(
            {"fullnameOverride": ""}, "a" * 62, "a" * 62, id="truncated-trailing-dash-trimmed"
        ),
        pytest.param(
            {"fullnameOverride": "b" * 62 + "-xyz"}, "x", "b" * 62, id="override-truncated"
        ),
    ],
)
def test_fullname_rules_name_deployment_and_service(
    overrides: dict[str, Any], release: str, expected: str
) -> None:
    docs = _documents(overrides, Release(name=release))
    assert [d["metadata"]["name"] for d in docs] == [expected, expected]
    assert all(len(d["metadata"]["name"]) <= 63 for d in docs)
