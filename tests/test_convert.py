"""`convert`: the same release in the other chart generation's layout, and what cannot go."""

from __future__ import annotations

import copy
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.parity import normalise
from support.schema_check import SHARED, shared_or_skip
from typer.testing import CliRunner

from syntho_ray import ValuesInput, render_documents
from syntho_ray.cli import app
from syntho_ray.resolve.convert import convert
from syntho_ray.values.loading import load, values_from_mapping

CASES_113 = sorted((SHARED / "reference" / "cases").glob("*.yaml")) if SHARED.is_dir() else []
CASES_114 = (
    sorted((SHARED / "reference" / "chart-1.14" / "cases").glob("*.yaml"))
    if SHARED.is_dir()
    else []
)


def _ray_pods(values: Any) -> dict[str, Any]:
    """The RayCluster's spec, without what the generations render differently by themselves:
    the name label, the order of env, the chmod init container's name, chart 1.13's
    wait-for-head and `storage` start parameter, numOfHosts."""
    cluster = next(d for d in render_documents(values) if d["kind"] == "RayCluster")
    spec = copy.deepcopy(cluster["spec"])
    groups = [spec["headGroupSpec"], *(spec.get("workerGroupSpecs") or [])]
    for group in groups:
        group.pop("numOfHosts", None)
        group["rayStartParams"].pop("storage", None)
        pod = group["template"]
        pod["metadata"]["labels"].pop("app.kubernetes.io/name", None)
        for container in pod["spec"]["containers"]:
            container["env"] = sorted(container.get("env") or [], key=lambda e: e["name"])
        inits = pod["spec"].get("initContainers") or []
        inits[:] = [c for c in inits if "nslookup" not in str(c.get("command"))]
        for init in inits:
            init["name"] = "init-busybox" if init["name"] == "init" else init["name"]
    return normalise(spec)


def _converted(path: Path, to: str) -> tuple[Any, Any, list[str]]:
    source = "1.13" if to == "1.14" else "1.14"
    loaded = load(ValuesInput(files=[str(path)], chart=source))  # type: ignore[arg-type]
    result = convert(loaded.values, loaded.user, to)  # type: ignore[arg-type]
    return loaded.values, values_from_mapping(result.data, chart=to), result.lost  # type: ignore[arg-type]


@pytest.mark.parametrize("case", CASES_113, ids=lambda p: p.stem)
def test_chart_1_13_values_make_the_same_ray_cluster_in_chart_1_14(case: Path) -> None:
    before, after, _ = _converted(case, "1.14")
    assert _ray_pods(after) == _ray_pods(before)


@pytest.mark.parametrize("case", CASES_114, ids=lambda p: p.stem)
def test_chart_1_14_values_make_the_same_ray_cluster_in_chart_1_13(case: Path) -> None:
    before, after, lost = _converted(case, "1.13")
    if case.stem == "04-cluster-scope":  # what chart 1.13 has no place for is named
        assert any(line.startswith("ray-cluster.head.serviceAccountName") for line in lost)
        assert any(line.startswith("kuberay-operator.logging") for line in lost)
        return
    assert _ray_pods(after) == _ray_pods(before)


def test_what_cannot_be_carried_to_chart_1_14_is_named() -> None:
    values = values_from_mapping(
        {"kuberay": {"version": "1.1.0"}, "platform": "openshift", "registry": "mirror.local"}
    )
    lost = convert(values, {}, "1.14").lost
    assert any(
        line.startswith("kuberay.version 1.1.0: chart 1.14 runs KubeRay 1.2.2") for line in lost
    )
    assert any(line.startswith("platform: openshift") for line in lost)
    assert any(line.startswith("registry mirror.local") for line in lost)


def test_the_operator_follows_the_target_chart_unless_given() -> None:
    data = convert(values_from_mapping({"rbacEnable": False}), {"rbacEnable": False}, "1.14").data
    assert data["kuberay-operator"] == {"rbacEnable": False}


def test_a_round_trip_keeps_the_ray_cluster() -> None:
    shared_or_skip()
    case = SHARED / "reference" / "chart-1.14" / "cases" / "03-workers.yaml"
    original, in_113, _ = _converted(case, "1.13")
    loaded = convert(in_113, {}, "1.14").data
    assert _ray_pods(values_from_mapping(loaded, chart="1.14")) == _ray_pods(original)


def test_the_command_writes_a_private_file_and_names_what_is_lost(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("SynthoLicense: k\nkuberay:\n  version: 1.1.0\n")
    out = tmp_path / "values-1.14.yaml"
    result = CliRunner().invoke(
        app, ["convert", "--chart", "1.14", "-f", str(values), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert text.startswith("# Values of chart ray 1.14.0, converted by syntho-ray convert")
    assert yaml.safe_load(text)["SynthoLicense"] == "k"
    assert "note: not carried over: kuberay.version 1.1.0" in result.stderr


def test_converting_to_the_same_layout_is_a_usage_error(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("ray-cluster: {}\n")
    result = CliRunner().invoke(app, ["convert", "--chart", "1.14", "-f", str(values)])
    assert result.exit_code == 2
    assert "in chart 1.14's layout already" in result.stderr
