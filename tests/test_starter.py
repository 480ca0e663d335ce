"""`syntho-ray init`: the guide's development and production layouts (syntho_ray.starter)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from support.schema_check import assert_valid
from test_cli import RUNNER, render

from syntho_ray import ValuesInput, cli, load_values
from syntho_ray.render import render_documents
from syntho_ray.values.starter import PROFILES, starter_values


def init(*args: str | Path) -> Any:
    return RUNNER.invoke(cli.app, ["init", *map(str, args)])


def _written(tmp_path: Path, *args: str) -> Path:
    path = tmp_path / "values.yaml"
    result = init("-o", path, *args)
    assert result.exit_code == 0, result.stderr
    return path


def _groups(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    documents = render_documents(load_values(ValuesInput(files=[str(path)])))
    assert_valid(documents, kuberay_version="v1.2.2")
    spec = next(d for d in documents if d["kind"] == "RayCluster")["spec"]
    return spec["headGroupSpec"], spec.get("workerGroupSpecs", [])


def _resources(group: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = group["template"]["spec"]["containers"][0]["resources"]
    return resources


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_renders_warning_only_about_what_to_choose(
    tmp_path: Path, profile: str
) -> None:
    path = _written(tmp_path, "--profile", profile)
    result = render("-f", path)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert "head.rayVersion: not set" in warnings.pop(0)
    assert len(warnings) == 2 and all("moves over time" in w for w in warnings), warnings
    chosen = 'operatorImage: {tag: "1.1.0"}\nimage: {tag: "2.9.3"}\nkuberay: {version: "1.1.0"}\n'
    pinned = path.read_text(encoding="utf-8") + chosen
    path.write_text(pinned, encoding="utf-8")
    assert "warning:" not in render("-f", path, "--set", "head.rayVersion=2.9.3").stderr


def test_development_is_one_head_and_no_workers(tmp_path: Path) -> None:
    head, workers = _groups(_written(tmp_path, "--profile", "development"))
    assert workers == []
    assert _resources(head) == {
        "limits": {"cpu": "16", "memory": "64G"},
        "requests": {"cpu": "16", "memory": "64G"},
    }


def test_production_is_a_head_and_a_worker_pool_with_requests_equal_to_limits(
    tmp_path: Path,
) -> None:
    path = _written(tmp_path, "--profile", "production", "--cpus", "8", "--memory", "30Gi")
    head, (worker,) = _groups(path)
    sized = {"cpu": "8", "memory": "30Gi"}
    assert _resources(head) == _resources(worker) == {"limits": sized, "requests": sized}
    assert worker["groupName"] == "workergroup"


def test_the_file_explains_itself() -> None:
    text = starter_values("production")
    assert text.startswith("# syntho-ray values: the deployment guide's production layout")
    assert "kubectl -n <namespace> create secret generic syntho-license" in text
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 10


def test_platform_and_registry_are_written_into_the_file(tmp_path: Path) -> None:
    path = _written(
        tmp_path, "--profile", "development", "--platform", "openshift", "--registry", "m.local/s"
    )
    data = yaml.safe_load(path.read_text())
    assert data["platform"] == "openshift"
    assert data["registry"] == "m.local/s"


def test_stdout_without_a_file() -> None:
    result = init("--profile", "development")
    assert result.exit_code == 0
    assert yaml.safe_load(result.stdout)["worker"] == {"disabled": True}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--memory", "lots"], "--memory lots: not a Kubernetes quantity"),
        (["--cpus", "0"], "--cpus 0: at least 1"),
    ],
)
def test_bad_sizes_are_refused(args: list[str], message: str) -> None:
    result = init("--profile", "production", *args)
    assert result.exit_code == 2
    assert f"error: {message}" in result.stderr


def test_an_unknown_profile_is_refused() -> None:
    assert init("--profile", "staging").exit_code == 2


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("mine: true\n")
    result = init("--profile", "development", "-o", path)
    assert result.exit_code == 1
    assert "exists" in result.stderr
    assert path.read_text() == "mine: true\n"
    assert init("--profile", "development", "-o", path, "--force").exit_code == 0
    assert "manualSecretName" in path.read_text()
