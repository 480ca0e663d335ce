"""rayStartParams checked against the Ray release of head.rayVersion, and the chart's `storage`
start parameter (syntho_ray/values/raystart.py, syntho_ray/build/raycluster.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_cli import render

from syntho_ray import render_documents, values_from_mapping
from syntho_ray.facts import ray as ray_facts
from syntho_ray.values.raystart import check_start_params

NEWEST = ray_facts.newest().version
CASE_02 = (
    Path(__file__).resolve().parent.parent.parent / "shared/reference/cases/02-production.yaml"
)
LAST_WITH_STORAGE = ray_facts.newest().removed["storage"]


def start_params(data: dict[str, Any]) -> list[dict[str, str]]:
    """rayStartParams of the head, then of each worker group, as rendered."""
    docs = render_documents(values_from_mapping(data))
    spec = next(d for d in docs if d["kind"] == "RayCluster")["spec"]
    groups = [spec["headGroupSpec"], *spec.get("workerGroupSpecs", [])]
    return [g["rayStartParams"] for g in groups]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(text)
    return path


def test_a_misspelt_parameter_is_refused_with_the_right_one_suggested(tmp_path: Path) -> None:
    values = write(tmp_path, f"head:\n  rayVersion: {NEWEST}\n  rayStartParams:\n")
    values.write_text(values.read_text() + "    dashbord-host: 0.0.0.0\n")
    result = render("-q", "-f", values)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {values}:4: head.rayStartParams.dashbord-host: unknown `ray start` option in "
        f"Ray {NEWEST} (did you mean 'dashboard-host'?)\n"
    )


def test_every_group_is_checked(tmp_path: Path) -> None:
    values = write(
        tmp_path,
        """head:
  rayVersion: "2.9.3"
worker:
  disabled: false
  rayStartParams:
    num-cpu: "2"
additionalWorkerGroups:
  gpu:
    disabled: false
    rayStartParams:
      enable-resource-isolation: "true"
    initArgs:
      block: "yes"
""",
    )
    lines = render("-q", "-f", values).stderr.splitlines()
    first = next(
        r.version for r in ray_facts.releases() if "enable-resource-isolation" in r.options
    )
    assert lines == [
        f"error: {values}:6: worker.rayStartParams.num-cpu: unknown `ray start` option in "
        "Ray 2.9.3 (did you mean 'num-cpus'?)",
        f"error: {values}:11: additionalWorkerGroups.gpu.rayStartParams.enable-resource-isolation"
        f": `ray start` of Ray 2.9.3 has no `--enable-resource-isolation` yet (it comes with Ray "
        f"{first})",
        f"error: {values}:13: additionalWorkerGroups.gpu.initArgs.block: `--block` is a flag in "
        "Ray 2.9.3: write true or false, not 'yes'",
    ]


def test_a_removed_parameter_is_refused_naming_the_release() -> None:
    result = render("-q", "--set", f"head.rayVersion={NEWEST},head.rayStartParams.storage=/data")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: --set head.rayVersion,head.rayStartParams.storage: "
        f"head.rayStartParams.storage: `ray start` of Ray {NEWEST} has no `--storage` any more "
        f"(the last release with it: {LAST_WITH_STORAGE})\n"
    )


def test_a_deprecated_parameter_warns() -> None:
    release, name = next(
        (r, o.name)
        for r in reversed(ray_facts.releases())
        for o in r.options.values()
        if o.deprecated and o.takes_value
    )
    found = check_start_params({name: "1"}, release.version)
    assert [(f.key, f.error) for f in found] == [(name, False)]
    assert found[0].message == f"`--{name}` is deprecated in Ray {release.version}"


def test_an_unset_ray_version_warns_once_and_checks_against_the_newest_as_warnings() -> None:
    result = render("-q", "--set", "worker.disabled=false,worker.rayStartParams.dashbord-host=x")
    assert result.exit_code == 0, result.stderr
    warnings = [w for w in result.stderr.splitlines() if "Ray" in w]
    assert warnings == [
        f"warning: defaults: head.rayVersion: not set: start parameters were checked against "
        f"Ray {NEWEST}, the newest release syntho-ray knows, as warnings only; set it to the Ray "
        "release of your image",
        "warning: --set worker.disabled,worker.rayStartParams.dashbord-host: "
        "worker.rayStartParams.dashbord-host: unknown `ray start` option in "
        f"Ray {NEWEST} (did you mean 'dashboard-host'?)",
    ]


def test_the_check_is_a_function_of_the_parameters_and_the_ray_version() -> None:
    params = {"dashboard-host": "0.0.0.0", "block": "true", "storage": "/x", "numcpus": 1}
    assert [(f.key, f.error) for f in check_start_params(params, "2.9.3")] == [("numcpus", True)]
    unset = check_start_params(params, None)
    assert [(f.key, f.error) for f in unset] == [("storage", False), ("numcpus", False)]
    assert check_start_params({"storage": None}, NEWEST) == []  # null: left out, not checked
    assert check_start_params({"blok": "true"}, None)[0].error  # the Dutch guide's word
    assert check_start_params({"anything": "1"}, "1.13.0") == []  # before the table


def test_storage_stays_while_the_ray_release_has_it() -> None:
    for groups in (start_params({}), start_params({"head": {"rayVersion": "2.9.3"}})):
        assert [g.get("storage") for g in groups] == ["/tmp/ray-workflows"]  # parity: unset
    newest = start_params({"head": {"rayVersion": NEWEST}, "worker": {"disabled": False}})
    assert [g.get("storage") for g in newest] == [None, None]
    last = start_params({"head": {"rayVersion": LAST_WITH_STORAGE}})
    assert last[0]["storage"] == "/tmp/ray-workflows"


def test_null_removes_a_default_start_parameter_as_helm_does() -> None:
    data = {
        "head": {"rayStartParams": {"storage": None, "block": None}},
        "worker": {"disabled": False, "initArgs": {"storage": None}},
    }
    head, worker = start_params(data)
    assert head == {"dashboard-host": "0.0.0.0"}
    assert worker == {"block": "true"}


def test_the_render_notes_name_the_ray_release_and_the_left_out_storage() -> None:
    stderr = render("--set", f"head.rayVersion={NEWEST}").stderr
    assert f"Ray: start parameters checked against Ray {NEWEST} (head.rayVersion).\n" in stderr
    assert (
        "Ray: the chart's `storage: /tmp/ray-workflows` start parameter is left out: "
        f"`ray start` has no --storage after Ray {LAST_WITH_STORAGE}.\n"
    ) in stderr
    assert (
        "checked against Ray 2.12.0 (the nearest to head.rayVersion '2.15.0')"
        in render("--set", "head.rayVersion=2.15.0").stderr
    )
    unset = render().stderr
    assert f"Ray: start parameters checked against Ray {NEWEST} as warnings only" in unset


@pytest.mark.parametrize("version", ["2.9.3", NEWEST])
def test_case_02_renders_for_the_ray_release(version: str) -> None:
    result = render("-q", "--strict", "-f", CASE_02, "--set", f"head.rayVersion={version}")
    assert "head.rayVersion" not in result.stderr
    assert "rayStartParams" not in result.stderr
