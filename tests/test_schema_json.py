"""`syntho-ray schema`: the JSON Schema of a values file, for editors (syntho_ray.schema)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from support.schema_check import SHARED, shared_or_skip
from test_cli import RUNNER

from syntho_ray import cli
from syntho_ray.values.schema import values_schema
from syntho_ray.values.starter import PROFILES, starter_values

CASES = (
    sorted(p.name for p in (SHARED / "reference" / "cases").glob("*.yaml"))
    if SHARED.is_dir()
    else []
)


@cache
def _validator() -> jsonschema.Draft7Validator:
    schema = values_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _errors(data: Any) -> list[str]:
    return [error.message for error in _validator().iter_errors(data)]


def test_the_command_prints_the_schema_as_json(tmp_path: Path) -> None:
    result = RUNNER.invoke(cli.app, ["schema"])
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert printed == values_schema()
    path = tmp_path / "syntho-ray.schema.json"
    assert RUNNER.invoke(cli.app, ["schema", "-o", str(path)]).exit_code == 0
    assert json.loads(path.read_text()) == printed


def test_the_charts_values_validate() -> None:
    chart = yaml.safe_load((shared_or_skip() / "reference" / "chart-values.yaml").read_text())
    assert _errors(chart) == []


@pytest.mark.parametrize("case", CASES)
def test_every_reference_case_validates(case: str) -> None:
    assert _errors(yaml.safe_load((SHARED / "reference" / "cases" / case).read_text())) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_starter_files_validate(profile: str) -> None:
    text = starter_values(profile, platform="openshift", registry="m.local")
    assert _errors(yaml.safe_load(text)) == []


@pytest.mark.parametrize(
    "data",
    [
        {"wroker": {"replicas": 2}},
        {"head": {"resorces": {}}},
        {"head": {"tolerations": [{"key": "a", "opertor": "Equal"}]}},
        {"kuberay": {"version": "1.8.0"}},
        {"platform": "openshfit"},
    ],
)
def test_an_unknown_key_or_value_does_not_validate(data: dict[str, Any]) -> None:
    assert _errors(data) != []


def test_keys_may_be_left_out_or_null_as_in_helm() -> None:
    assert _errors({"image": {"tag": "2.9.3"}, "head": {"ports": None}, "worker": None}) == []
    assert _errors({"image": {"tag": 123}, "kuberay": {"version": "v1.2.2"}}) == []


def test_kubernetes_types_describe_their_fields() -> None:
    definitions = values_schema()["definitions"]
    assert "tolerationSeconds" in definitions["V1Toleration"]["properties"]
    limits = definitions["V1ResourceRequirements"]["properties"]["limits"]
    assert limits["additionalProperties"] == {"type": ["string", "number"]}
