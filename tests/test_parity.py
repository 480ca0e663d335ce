"""Parity with the reference chart for every case in ../shared/reference/cases/."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.parity import by_identity, corrected_reference, load_stream, read
from support.schema_check import REFERENCE_CASES, shared_or_skip

from syntho_ray import ValuesInput, load_values, render_yaml
from syntho_ray.output.stream import dump_yaml
from syntho_ray.render import render_documents

CASES = REFERENCE_CASES


def _case(name: str) -> tuple[Path, Path]:
    shared = shared_or_skip()
    return (
        shared / "reference" / "cases" / f"{name}.yaml",
        shared / "reference" / "rendered" / f"{name}.yaml",
    )


def test_every_reference_case_is_covered() -> None:
    shared_or_skip()
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES)
def test_render_equals_reference_with_known_corrections(case: str) -> None:
    values_file, rendered = _case(case)
    values = load_values(ValuesInput(files=[str(values_file)]))
    ours = by_identity(render_documents(values))
    plain = values.model_dump(mode="python", exclude_none=True)
    expected = by_identity(corrected_reference(read(rendered), plain, "syntho"))
    assert sorted(ours) == sorted(expected)
    for identity in expected:
        assert ours[identity] == expected[identity], identity


@pytest.mark.parametrize("case", CASES)
def test_render_is_byte_identical_across_runs(case: str) -> None:
    values_file, _ = _case(case)
    given = ValuesInput(files=[str(values_file)])
    first = dump_yaml(render_documents(load_values(given)))
    second = dump_yaml(render_documents(load_values(given)))
    assert first == second


def test_render_yaml_takes_a_plain_mapping() -> None:
    text = render_yaml({"clustername": "ray-a"}, namespace="team-a", release="ray-a")
    objects = load_stream(text)
    raycluster = next(o for o in objects if o["kind"] == "RayCluster")
    assert raycluster["metadata"] == {
        "name": "ray-a",
        "namespace": "team-a",
        "labels": {
            "app.kubernetes.io/instance": "ray-a",
            "app.kubernetes.io/managed-by": "syntho-ray",
            "app.kubernetes.io/name": "kuberay",
        },
    }
    assert all(o["metadata"].get("namespace") == "team-a" for o in objects)
