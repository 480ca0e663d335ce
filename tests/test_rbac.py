"""The operator's ServiceAccount and RBAC (syntho_ray.rbac)."""

from __future__ import annotations

from typing import Any

import yaml
from support import builders
from support.schema_check import shared_or_skip

from syntho_ray import Release, values_from_mapping
from syntho_ray.build import operator, rbac
from syntho_ray.render import resolved_values, to_document

CUSTOM = builders.CUSTOM["rbac"]
CUSTOM_RELEASE = builders.CUSTOM_RELEASE
VOLCANO = {
    ("scheduling.volcano.sh", "podgroups", verb)
    for verb in ("create", "delete", "get", "list", "update", "watch")
} | {("apiextensions.k8s.io", "customresourcedefinitions", "get")}


def _documents(data: dict[str, Any], release: Release | None = None) -> list[dict[str, Any]]:
    return builders.built(rbac.build, data, release)


def _find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def _chart_role(name: str) -> dict[str, Any]:
    path = shared_or_skip() / "reference" / "rendered" / "01-default.yaml"
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return _find(docs, "Role", name)


def test_defaults_render_service_account_and_four_rbac_objects() -> None:
    kinds = [(d["kind"], d["metadata"]["name"]) for d in _documents({})]
    assert kinds == [
        ("ServiceAccount", "kuberay-operator"),
        ("Role", "kuberay-operator"),
        ("RoleBinding", "kuberay-operator"),
        ("Role", "rayjob-editor-role"),
        ("Role", "rayjob-viewer-role"),
    ]


def test_rbac_disabled_renders_no_rbac_objects() -> None:
    docs = _documents({"rbacEnable": False})
    assert [d["kind"] for d in docs] == ["ServiceAccount"]


def test_rbac_disabled_and_no_service_account_renders_nothing() -> None:
    assert _documents({"rbacEnable": False, "serviceAccount": {"create": False}}) == []


def test_service_account_not_created_deployment_and_binding_use_given_name() -> None:
    data = {"serviceAccount": {"create": False, "name": "platform-ray-operator"}}
    docs = _documents(data)
    assert "ServiceAccount" not in {d["kind"] for d in docs}
    binding = _find(docs, "RoleBinding", "kuberay-operator")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "platform-ray-operator", "namespace": "syntho"}
    ]
    deployment = to_document(
        operator.deployment(resolved_values(values_from_mapping(data)), Release())
    )
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "platform-ray-operator"


def test_service_account_not_created_without_name_uses_default_account() -> None:
    data = {"serviceAccount": {"create": False, "name": None}}
    docs = _documents(data)
    assert "ServiceAccount" not in {d["kind"] for d in docs}
    assert _find(docs, "RoleBinding", "kuberay-operator")["subjects"][0]["name"] == "default"
    deployment = to_document(
        operator.deployment(resolved_values(values_from_mapping(data)), Release())
    )
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "default"


def test_service_account_created_without_name_is_named_after_fullname() -> None:
    docs = _documents({"serviceAccount": {"name": None}, "fullnameOverride": "ray-op"})
    assert _find(docs, "ServiceAccount", "ray-op")["metadata"]["namespace"] == "syntho"
    assert _find(docs, "RoleBinding", "ray-op")["subjects"][0]["name"] == "ray-op"


def test_role_binding_grants_operator_role_to_account_in_release_namespace() -> None:
    docs = _documents(CUSTOM, CUSTOM_RELEASE)
    binding = _find(docs, "RoleBinding", "prod-ray-op")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "prod-ray-op",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "ray-operator-sa", "namespace": "team-a"}
    ]


def test_every_object_is_in_the_release_namespace() -> None:
    docs = _documents(CUSTOM, CUSTOM_RELEASE)
    assert {d["metadata"]["namespace"] for d in docs} == {"team-a"}


def test_operator_rule_set_equals_the_charts() -> None:
    ours = _find(_documents({}), "Role", "kuberay-operator")
    assert builders.rule_set(ours) == builders.rule_set(_chart_role("kuberay-operator"))


def test_rayjob_roles_rule_sets_equal_the_charts() -> None:
    docs = _documents({})
    for name in ("rayjob-editor-role", "rayjob-viewer-role"):
        assert builders.rule_set(_find(docs, "Role", name)) == builders.rule_set(
            _chart_role(name)
        ), name


def test_batch_scheduler_adds_exactly_the_volcano_rules() -> None:
    plain = builders.rule_set(_find(_documents({}), "Role", "kuberay-operator"))
    batch = builders.rule_set(
        _find(_documents({"batchScheduler": {"enabled": True}}), "Role", "kuberay-operator")
    )
    assert batch - plain == VOLCANO
    assert plain <= batch


def test_batch_scheduler_leaves_the_rayjob_roles_alone() -> None:
    plain = _documents({})
    batch = _documents({"batchScheduler": {"enabled": True}})
    for name in ("rayjob-editor-role", "rayjob-viewer-role"):
        assert _find(plain, "Role", name) == _find(batch, "Role", name)
