"""The two shared claims (syntho_ray.storage)."""

from __future__ import annotations

from typing import Any

import pytest
from support import builders

from syntho_ray import Release, values_from_mapping
from syntho_ray.build import raycluster, storage
from syntho_ray.render import resolved_values, to_document

CUSTOM = builders.CUSTOM["storage"]
CUSTOM_RELEASE = builders.CUSTOM_RELEASE


def _documents(data: dict[str, Any], release: Release | None = None) -> list[dict[str, Any]]:
    return builders.built(storage.build, data, release)


def _claims(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d["spec"] for d in _documents(data)}


def test_workflows_and_data_claims_in_the_release_namespace() -> None:
    docs = _documents({}, Release(namespace="team-a"))
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("PersistentVolumeClaim", "ray-workflows-claim"),
        ("PersistentVolumeClaim", "ray-data-claim"),
    ]
    assert {d["metadata"]["namespace"] for d in docs} == {"team-a"}


def test_default_storage_class_and_no_selector() -> None:
    for name, spec in _claims({}).items():
        assert spec["storageClassName"] == "default", name
        assert "selector" not in spec, name


def test_sizes_are_20gi_for_workflows_and_100gi_data_by_default() -> None:
    claims = _claims({})
    assert claims["ray-workflows-claim"]["resources"] == {"requests": {"storage": "20Gi"}}
    assert claims["ray-data-claim"]["resources"] == {"requests": {"storage": "100Gi"}}


def test_data_storage_sets_only_the_data_claim_size() -> None:
    claims = _claims({"storage": {"dataStorage": "2Ti"}})
    assert claims["ray-data-claim"]["resources"]["requests"]["storage"] == "2Ti"
    assert claims["ray-workflows-claim"]["resources"]["requests"]["storage"] == "20Gi"


@pytest.mark.parametrize(
    ("storage_values", "workflows", "data"),
    [
        pytest.param(
            {"storageClassName": "", "pvLabelKey": "wf", "dataPvLabelKey": "dt"},
            {"selector": {"matchLabels": {"pv-label-key": "wf"}}},
            {"selector": {"matchLabels": {"pv-label-key": "dt"}}},
            id="no-class-both-keys",
        ),
        pytest.param(
            {"storageClassName": None, "pvLabelKey": "wf"},
            {"selector": {"matchLabels": {"pv-label-key": "wf"}}},
            {},
            id="null-class-one-key",
        ),
        pytest.param(
            {"storageClassName": "fast", "pvLabelKey": "wf", "dataPvLabelKey": "dt"},
            {"storageClassName": "fast"},
            {"storageClassName": "fast"},
            id="class-wins-over-keys",
        ),
        pytest.param(
            {"storageClassName": "", "pvLabelKey": "", "dataPvLabelKey": ""},
            {},
            {},
            id="neither-cluster-default-class",
        ),
    ],
)
def test_label_selector_only_when_storage_class_empty_and_label_key_set(
    storage_values: dict[str, Any], workflows: dict[str, Any], data: dict[str, Any]
) -> None:
    claims = _claims({"storage": storage_values})
    for name, expected in (("ray-workflows-claim", workflows), ("ray-data-claim", data)):
        spec = claims[name]
        chosen = {k: spec[k] for k in ("selector", "storageClassName") if k in spec}
        assert chosen == expected, name


@pytest.mark.parametrize("mode", ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"])
def test_access_mode_applies_to_both_claims(mode: str) -> None:
    for name, spec in _claims({"storage": {"accessMode": mode}}).items():
        assert spec["accessModes"] == [mode], name


def test_access_mode_defaults_to_read_write_many() -> None:
    for name, spec in _claims({"storage": {"accessMode": None}}).items():
        assert spec["accessModes"] == ["ReadWriteMany"], name


def test_every_ray_pod_mounts_both_claims() -> None:
    values = values_from_mapping({"worker": {"disabled": False}})
    cluster = to_document(raycluster.raycluster(resolved_values(values), Release()))
    spec = cluster["spec"]
    templates = [spec["headGroupSpec"]["template"]] + [
        g["template"] for g in spec["workerGroupSpecs"]
    ]
    for template in templates:
        claims = [
            v["persistentVolumeClaim"]["claimName"]
            for v in template["spec"]["volumes"]
            if "persistentVolumeClaim" in v
        ]
        assert claims == ["ray-workflows-claim", "ray-data-claim"]
