"""Every builder's objects, for the default values and for its custom values: the snapshots
under snapshots/<concern>/ (`make snapshots` rewrites them) and the API's schemas."""

from __future__ import annotations

from typing import Any

import pytest
from support.builders import BUILDERS, CUSTOM, CUSTOM_RELEASE, SNAPSHOTS, built
from support.schema_check import assert_valid

from syntho_ray.output.stream import dump_yaml

CONCERNS = list(BUILDERS)


@pytest.mark.parametrize("concern", CONCERNS)
def test_defaults_match_snapshot(concern: str, snapshot: Any) -> None:
    snapshot.snapshot_dir = SNAPSHOTS / concern
    snapshot.assert_match(dump_yaml(built(BUILDERS[concern], {})), "defaults.yaml")


@pytest.mark.parametrize("concern", CONCERNS)
def test_custom_values_match_snapshot(concern: str, snapshot: Any) -> None:
    snapshot.snapshot_dir = SNAPSHOTS / concern
    documents = built(BUILDERS[concern], CUSTOM[concern], CUSTOM_RELEASE)
    snapshot.assert_match(dump_yaml(documents), "custom.yaml")


@pytest.mark.parametrize("concern", CONCERNS)
def test_default_and_custom_objects_are_schema_valid(concern: str) -> None:
    build = BUILDERS[concern]
    documents = built(build, {}) + built(build, CUSTOM[concern], CUSTOM_RELEASE)
    assert_valid(documents, kuberay_version="v0.4.0")
