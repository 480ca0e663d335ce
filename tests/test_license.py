"""The Syntho license Secret and how pods read it (syntho_ray.license)."""

from __future__ import annotations

import base64
from typing import Any

from support import builders

import syntho_ray
from syntho_ray import Release, render_documents, values_from_mapping
from syntho_ray.build import license

DISTINCTIVE = builders.DISTINCTIVE
CUSTOM = builders.CUSTOM["license"]
CUSTOM_RELEASE = builders.CUSTOM_RELEASE
# Every pod kind: head, the default worker group and an extra group.
ALL_PODS = {
    "worker": {"disabled": False},
    "additionalWorkerGroups": {"smallGroup": {"disabled": False}},
}


def _documents(data: dict[str, Any], release: Release | None = None) -> list[dict[str, Any]]:
    return builders.built(license.build, data, release)


def _ray_containers(data: dict[str, Any]) -> list[dict[str, Any]]:
    cluster = next(
        d for d in render_documents(values_from_mapping(data)) if d["kind"] == "RayCluster"
    )
    spec = cluster["spec"]
    templates = [spec["headGroupSpec"]["template"]] + [
        g["template"] for g in spec.get("workerGroupSpecs", [])
    ]
    return [
        c
        for t in templates
        for c in t["spec"]["containers"]
        if c["name"] in ("ray-head", "ray-worker")
    ]


def _license_env(container: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in container["env"] if e["name"] == "LICENSE_KEY_SIGNED")


def test_secret_ray_secret_holds_base64_of_the_license_under_license_key() -> None:
    [secret] = _documents(CUSTOM, CUSTOM_RELEASE)
    assert secret["kind"] == "Secret"
    assert secret["type"] == "Opaque"
    assert secret["metadata"]["name"] == "ray-secret"
    assert secret["metadata"]["namespace"] == "team-a"
    assert secret["data"] == {"license_key": base64.b64encode(DISTINCTIVE.encode()).decode()}
    assert "stringData" not in secret


def test_non_ascii_license_is_utf8_encoded() -> None:
    [secret] = _documents({"SynthoLicense": "licență-✓"})
    assert base64.b64decode(secret["data"]["license_key"]).decode("utf-8") == "licență-✓"


def test_pods_read_the_license_from_ray_secret() -> None:
    containers = _ray_containers(CUSTOM | ALL_PODS)
    assert len(containers) == 3
    for container in containers:
        assert _license_env(container) == {
            "name": "LICENSE_KEY_SIGNED",
            "valueFrom": {"secretKeyRef": {"key": "license_key", "name": "ray-secret"}},
        }


def test_manual_secret_name_renders_no_secret_and_pods_reference_it() -> None:
    data = {"manualSecretName": "syntho-license", **ALL_PODS}
    assert _documents(data) == []
    kinds = {d["kind"] for d in render_documents(values_from_mapping(data))}
    assert "Secret" not in kinds
    for container in _ray_containers(data):
        ref = _license_env(container)["valueFrom"]["secretKeyRef"]
        assert ref == {"key": "license_key", "name": "syntho-license"}


def test_license_text_appears_only_as_base64_in_the_secret() -> None:
    docs = render_documents(values_from_mapping(CUSTOM | ALL_PODS))
    text = syntho_ray.dump_yaml(docs)
    encoded = base64.b64encode(DISTINCTIVE.encode()).decode()
    assert DISTINCTIVE not in text
    assert "SYNTHO-LIC-7f3a9c0e" not in text
    assert text.count(encoded) == 1
    secret = next(d for d in docs if d["kind"] == "Secret")
    assert secret["data"]["license_key"] == encoded


def test_license_text_appears_nowhere_with_manual_secret_name() -> None:
    data = CUSTOM | ALL_PODS | {"manualSecretName": "syntho-license"}
    text = syntho_ray.dump_yaml(render_documents(values_from_mapping(data)))
    assert "SYNTHO-LIC-7f3a9c0e" not in text
    assert base64.b64encode(DISTINCTIVE.encode()).decode() not in text


def test_no_pod_spec_carries_a_literal_license_value() -> None:
    for container in _ray_containers(CUSTOM | ALL_PODS):
        assert "value" not in _license_env(container)
