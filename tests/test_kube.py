"""From manifest data to client models and back, scalars kept as written."""

from __future__ import annotations

import pytest
from kubernetes import client

from syntho_ray.k8s.data import KubeDataError, format_path, from_data, is_empty, or_none, to_data


def test_round_trip_keeps_the_data() -> None:
    data = {
        "name": "sidecar",
        "image": "busybox",
        "resources": {"limits": {"cpu": 1}},
        "ports": [{"containerPort": 80, "name": "http"}],
        "env": [{"name": "A", "value": "1"}],
    }
    container = from_data(data, "V1Container")
    assert isinstance(container, client.V1Container)
    assert to_data(container) == data


def test_every_problem_is_collected_with_its_path() -> None:
    with pytest.raises(KubeDataError) as caught:
        from_data(
            [{"key": 1, "effect": "NoSchedule", "tolerationSecond": 3}, "x"], "list[V1Toleration]"
        )
    assert caught.value.problems == [
        ((0, "key"), "expected text, got the number 1"),
        (
            (0, "tolerationSecond"),
            "unknown field 'tolerationSecond' in Toleration (did you mean 'tolerationSeconds'?)",
        ),
        ((1,), "expected a mapping (Toleration), got the text 'x'"),
    ]


def test_quantities_take_numbers_but_other_strings_do_not() -> None:
    assert to_data(from_data({"limits": {"cpu": 1}}, "V1ResourceRequirements")) == {
        "limits": {"cpu": 1}
    }
    with pytest.raises(KubeDataError):
        from_data({"name": 5}, "V1LocalObjectReference")


def test_booleans_are_not_integers() -> None:
    with pytest.raises(KubeDataError) as caught:
        from_data({"containerPort": True}, "V1ContainerPort")
    assert caught.value.problems == [(("containerPort",), "expected a whole number, got true")]


def test_empty_means_nothing_set() -> None:
    assert is_empty(client.V1SecurityContext())
    assert is_empty([]) and is_empty({}) and is_empty(None) and is_empty("")
    assert not is_empty(client.V1SecurityContext(run_as_user=0))
    assert or_none(client.V1Affinity()) is None


def test_paths_read_like_yaml_keys() -> None:
    assert format_path(("head", "tolerations", 0, "key")) == "head.tolerations[0].key"
    assert format_path((0,)) == "[0]"


def test_a_fractional_quantity_is_kept_as_text_which_every_schema_accepts() -> None:
    resources = from_data({"requests": {"memory": 1.5, "cpu": 2}}, "V1ResourceRequirements")
    assert to_data(resources) == {"requests": {"memory": "1.5", "cpu": 2}}


def test_a_key_path_stays_on_one_line_whatever_the_keys() -> None:
    assert format_path(("image", "\n")) == 'image["\\n"]'
    assert format_path(("head", "labels", "syntho.ai/team")) == "head.labels.syntho.ai/team"


def test_a_null_list_item_is_refused_at_its_index() -> None:
    with pytest.raises(KubeDataError) as caught:
        from_data([{"name": "data", "mountPath": "/d"}, None], "list[V1VolumeMount]")
    assert caught.value.problems == [((1,), "a list item cannot be null")]


def test_a_null_map_value_removes_its_key_as_in_helm() -> None:
    resources = from_data({"limits": {"memory": None, "cpu": 1}}, "V1ResourceRequirements")
    assert to_data(resources) == {"limits": {"cpu": 1}}
