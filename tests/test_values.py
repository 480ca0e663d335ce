"""The values model: the chart's defaults, Helm's null, and typed Kubernetes parts."""

from __future__ import annotations

import pytest
import yaml
from kubernetes import client
from pydantic import ValidationError
from support.schema_check import shared_or_skip

from syntho_ray import Values, ValuesError, values_from_mapping
from syntho_ray.values.model import chart_defaults


def test_defaults_equal_the_charts_values_yaml() -> None:
    chart = yaml.safe_load((shared_or_skip() / "reference" / "chart-values.yaml").read_text())
    assert chart_defaults() == chart


def test_the_charts_values_yaml_is_accepted_as_it_is() -> None:
    chart = yaml.safe_load((shared_or_skip() / "reference" / "chart-values.yaml").read_text())
    assert values_from_mapping(chart).model_dump(exclude_none=True) == chart


def test_values_are_frozen() -> None:
    with pytest.raises(ValidationError):
        Values().clustername = "other"  # type: ignore[misc]


def test_kubernetes_parts_become_client_models() -> None:
    values = values_from_mapping({"head": {"tolerations": [{"key": "gpu", "operator": "Exists"}]}})
    (toleration,) = values.head.tolerations
    assert isinstance(toleration, client.V1Toleration)
    assert toleration.operator == "Exists"


def test_integer_quantities_stay_integers() -> None:
    values = Values()
    small = values.additional_worker_groups["smallGroup"]
    assert small.resources.limits == {"cpu": 1, "memory": "1G"}


def test_null_removes_a_default_as_in_helm() -> None:
    values = values_from_mapping({"head": {"ports": None, "rayStartParams": {"block": None}}})
    assert values.head.ports is None
    assert values.head.ray_start_params == {"dashboard-host": "0.0.0.0", "block": None}


def test_maps_merge_deeply_and_lists_replace() -> None:
    values = values_from_mapping(
        {
            "head": {
                "resources": {"limits": {"cpu": "16"}},
                "volumes": [{"name": "x", "emptyDir": {}}],
                "volumeMounts": [{"name": "x", "mountPath": "/x"}],
            },
        }
    )
    assert values.head.resources.limits == {"cpu": "16", "memory": "32G"}
    assert [v.name for v in values.head.volumes] == ["x"]


def test_extra_groups_merge_with_the_chart_group_of_the_same_name() -> None:
    values = values_from_mapping(
        {"additionalWorkerGroups": {"smallGroup": {"disabled": False}, "big": {"replicas": 2}}}
    )
    groups = values.additional_worker_groups
    assert groups["smallGroup"].max_replicas == 3
    assert groups["big"].replicas == 2
    assert groups["big"].resources is None


def test_an_unknown_key_is_an_error_with_its_path() -> None:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping(
            {"head": {"tolerations": [{"key": "a", "opertor": "Equal"}]}, "wroker": {}}
        )
    lines = caught.value.lines()
    assert (
        "values: head.tolerations[0].opertor: unknown field 'opertor' in Toleration "
        "(did you mean 'operator'?)"
    ) in lines
    assert "values: wroker: unknown key (did you mean 'worker'?)" in lines


def test_a_wrong_type_inside_a_kubernetes_part_is_reported() -> None:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping({"head": {"ports": [{"containerPort": "http"}]}})
    assert caught.value.lines() == [
        "values: head.ports[0].containerPort: expected a whole number, got the text 'http'"
    ]


def test_a_missing_required_kubernetes_field_is_reported() -> None:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping({"head": {"sidecarContainers": [{"image": "busybox"}]}})
    assert caught.value.lines() == [
        "values: head.sidecarContainers[0].name: required field is missing"
    ]


def test_closed_choices_are_checked() -> None:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping({"image": {"pullPolicy": "Sometimes"}})
    (line,) = caught.value.lines()
    assert line.startswith("values: image.pullPolicy: must be one of 'Always'")


def test_integer_tags_from_set_become_text() -> None:
    assert values_from_mapping({"image": {"tag": 123}}).image.tag == "123"
