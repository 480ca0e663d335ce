"""Chart 1.14: parity with the reference for every case in ../shared/reference/chart-1.14/,
the RayCluster valid against KubeRay 1.2.2's CRD, and a snapshot of each case's stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.parity import by_identity, corrected_reference_114, read
from support.schema_check import SHARED, assert_valid, shared_or_skip

import syntho_ray
from syntho_ray import ValuesInput, load_values, render_documents
from syntho_ray.values.model114 import Values114

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "snapshots" / "chart-1.14"
REFERENCE = SHARED / "reference" / "chart-1.14"
CASES = sorted(p.stem for p in (REFERENCE / "cases").glob("*.yaml")) if SHARED.is_dir() else []


def _values(case: str) -> Any:
    shared_or_skip()
    return load_values(ValuesInput(files=[str(REFERENCE / "cases" / f"{case}.yaml")]))


def test_every_case_of_the_reference_is_covered() -> None:
    shared_or_skip()
    assert len(CASES) >= 4


@pytest.mark.parametrize("case", CASES)
def test_a_values_file_in_the_1_14_layout_is_read_as_chart_1_14(case: str) -> None:
    values = _values(case)
    assert isinstance(values, Values114) or case == "01-default"


@pytest.mark.parametrize("case", CASES)
def test_render_equals_reference_with_known_corrections(case: str) -> None:
    values = load_values(
        ValuesInput(files=[str(REFERENCE / "cases" / f"{case}.yaml")], chart="1.14")
    )
    assert isinstance(values, Values114)
    ours = by_identity(render_documents(values))
    expected = by_identity(
        corrected_reference_114(
            read(REFERENCE / "rendered" / f"{case}.yaml"), values.syntho_license, "syntho"
        )
    )
    assert sorted(ours) == sorted(expected)
    for identity in expected:
        assert ours[identity] == expected[identity], identity


@pytest.mark.parametrize("case", CASES)
def test_case_objects_are_schema_valid_for_kuberay_1_2_2(case: str) -> None:
    values = load_values(
        ValuesInput(files=[str(REFERENCE / "cases" / f"{case}.yaml")], chart="1.14")
    )
    documents = render_documents(values)
    assert any(d["apiVersion"] == "ray.io/v1" for d in documents)
    assert_valid(documents, kuberay_version="v1.2.2")


@pytest.mark.parametrize("case", CASES)
def test_case_stream_matches_snapshot(case: str, snapshot: Any) -> None:
    values = load_values(
        ValuesInput(files=[str(REFERENCE / "cases" / f"{case}.yaml")], chart="1.14")
    )
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(syntho_ray.dump_yaml(render_documents(values)), f"{case}.yaml")
