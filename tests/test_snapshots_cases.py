"""Snapshots of the full YAML stream for every reference case, and their schema validity."""

from __future__ import annotations

from typing import Any

import pytest
from support import builders
from support.schema_check import REFERENCE_CASES, assert_valid, shared_or_skip

import syntho_ray
from syntho_ray import ValuesInput, load_values, render_documents

SNAPSHOTS = builders.SNAPSHOTS / "cases"
CASES = REFERENCE_CASES


def _documents(case: str) -> list[dict[str, Any]]:
    path = shared_or_skip() / "reference" / "cases" / f"{case}.yaml"
    return render_documents(load_values(ValuesInput(files=[str(path)])))


def test_every_reference_case_has_a_snapshot_test() -> None:
    shared_or_skip()
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES)
def test_case_stream_matches_snapshot(case: str, snapshot: Any) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    snapshot.assert_match(syntho_ray.dump_yaml(_documents(case)), f"{case}.yaml")


@pytest.mark.parametrize("case", CASES)
def test_case_objects_are_schema_valid_for_kuberay_0_4_0(case: str) -> None:
    assert_valid(_documents(case), kuberay_version="v0.4.0")
