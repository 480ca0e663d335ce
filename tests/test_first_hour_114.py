"""A newcomer's first hour (issue 12) and hostile values (issue 13) with chart 1.14's layout: the
checks of tests/test_first_hour.py and tests/test_hostile_validation.py, with the key paths as
a chart 1.14 user writes them (`ray-cluster.head.resources.limits.cpu`), and `init --chart 1.14`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_first_hour import cli, write

from syntho_ray import ValuesInput, load_values
from syntho_ray.render import render_documents
from syntho_ray.values.starter import PROFILES

HEAD = "ray-cluster.head"
LICENSE = ("--set", "SynthoLicense=first-hour-114-license")


def render_114(*args: str) -> Any:
    """`render` of chart 1.14 (the --set keys alone do not tell the layout)."""
    return cli("render", "--chart", "1.14", *LICENSE, *args)


def errors(result: Any) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


# -- init --chart 1.14 (issue 10's gap; issue 12, point 6)


@pytest.mark.parametrize("profile", PROFILES)
def test_init_writes_chart_1_14_values_that_render_as_1_14(profile: str, tmp_path: Path) -> None:
    out = tmp_path / "values.yaml"
    result = cli("init", "--chart", "1.14", "--profile", profile, "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for invented in ("1.0.0", "2.5.0", "example tags", "azurefile", "AKS"):
        assert invented not in text, invented
    assert "CHOOSE" in text and "manualSecretName: syntho-license" in text
    data = yaml.safe_load(text)
    assert set(data) == {"manualSecretName", "ray-cluster"}  # nothing of 1.13's layout
    assert "create secret generic syntho-license" in result.stderr
    rendered = cli("render", "-f", str(out))  # detected as chart 1.14 without --chart
    assert rendered.exit_code == 0, rendered.stderr
    assert cli("render", "--chart", "1.14", "-f", str(out)).stdout == rendered.stdout
    documents = render_documents(load_values(ValuesInput(files=[str(out)])))
    cluster = next(d for d in documents if d["kind"] == "RayCluster")
    assert cluster["apiVersion"] == "ray.io/v1"
    assert len(cluster["spec"].get("workerGroupSpecs") or []) == (profile == "production")
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert head["resources"]["limits"] == {"cpu": "16", "memory": "64G"}
    env = {e["name"]: e for e in head["env"]}
    assert env["LICENSE_KEY_SIGNED"]["valueFrom"]["secretKeyRef"]["name"] == "syntho-license"


def test_init_1_14_warns_only_about_what_to_choose(tmp_path: Path) -> None:
    out = tmp_path / "values.yaml"
    assert cli("init", "--chart", "1.14", "--profile", "production", "-o", str(out)).exit_code == 0
    warnings = [w for w in cli("render", "-f", str(out)).stderr.splitlines() if "warning:" in w]
    assert len(warnings) == 2, warnings
    assert "ray-cluster.head.rayVersion: not set" in warnings[0]
    assert "ray-cluster.image.tag 'latest' moves over time" in warnings[1]


@pytest.mark.parametrize("option", ["--platform=openshift", "--registry=mirror.local"])
def test_init_1_14_refuses_chart_1_13_settings(option: str) -> None:
    result = cli("init", "--chart", "1.14", "--profile", "development", option)
    assert result.exit_code == 2
    assert "chart 1.14 has no such setting" in result.stderr


# -- issue 12, point 3: image references


INIT = '[{"name": "init-busybox", "image": "busybox::1.28"}]'
IMAGES = [  # (option, expression, key path in the error)
    ("--set-string", "ray-cluster.image.tag=<tag>", "ray-cluster.image.tag"),
    ("--set-string", "kuberay-operator.image.tag=1.0 beta", "kuberay-operator.image.tag"),
    (
        "--set-string",
        "ray-cluster.image.repository=Syntho.azurecr.io/<repo>",
        "ray-cluster.image.repository",
    ),
    ("--set-json", f"{HEAD}.initContainers={INIT}", f"{HEAD}.initContainers[0].image"),
]


@pytest.mark.parametrize(("option", "expression", "key"), IMAGES)
def test_an_invalid_image_reference_is_refused(option: str, expression: str, key: str) -> None:
    for command in ("render", "validate"):
        result = cli(command, "--chart", "1.14", *LICENSE, option, expression)
        assert result.exit_code == 1, (command, result.output)
        assert key in result.stderr and "image reference" in result.stderr, result.stderr


def test_a_groups_own_image_and_a_sidecar_are_checked_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ray-cluster:\n"
        "  worker:\n    disabled: false\n"
        "    image: {repository: synthoregistry.azurecr.io/syntho-ray, tag: <tag>}\n"
        "    sidecarContainers:\n      - {name: log, image: 'fluent bit'}\n",
    )
    result = cli("render", *LICENSE, "-f", path)
    assert result.exit_code == 1
    lines = errors(result)
    assert any("values.yaml:4: ray-cluster.worker.image.tag" in line for line in lines), lines
    assert any("ray-cluster.worker.sidecarContainers[0].image" in line for line in lines), lines


def test_valid_image_references_still_render() -> None:
    result = render_114(
        "--set",
        "ray-cluster.image.repository=registry.example.com:5000/syntho/syntho-ray",
        "--set",
        "ray-cluster.image.tag=2.9.3_cpu-py311",
        "--set-json",
        f'{HEAD}.initContainers=[{{"name": "i", "image": "busybox@sha256:{"a" * 64}"}}]',
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("license_text", ["<syntho-licentie-sleutel>", "YOUR_LICENSE_KEY"])
def test_a_placeholder_license_is_warned_about_and_never_printed(license_text: str) -> None:
    args = ("--chart", "1.14", "--set-string", f"SynthoLicense={license_text}")
    result = cli("render", *args)
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "SynthoLicense" in line]
    assert warning and "placeholder" in warning[0], result.stderr
    assert license_text not in result.output
    assert cli("render", "--strict", *args).exit_code == 1


# -- issue 12, point 4: requests above limits


def test_limits_below_the_default_requests_are_refused_naming_the_default() -> None:
    result = render_114(
        "--set", f"{HEAD}.resources.limits.cpu=4", "--set", f"{HEAD}.resources.limits.memory=8G"
    )
    assert result.exit_code == 1, result.stderr
    lines = errors(result)
    cpu = next(line for line in lines if f"{HEAD}.resources.requests.cpu" in line)
    assert "is above limits.cpu 4" in cpu and "the chart's default requests.cpu" in cpu
    assert f"--set {HEAD}.resources.requests=null" in cpu
    assert any(f"{HEAD}.resources.requests.memory" in line and "32G" in line for line in lines)


def test_requests_above_limits_the_user_gave_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ray-cluster:\n  worker:\n    disabled: false\n    resources:\n"
        "      limits: {cpu: '2', memory: 4Gi}\n      requests: {cpu: '3', memory: 4Gi}\n",
    )
    result = cli("render", *LICENSE, "-f", path)
    assert result.exit_code == 1
    assert any(
        "values.yaml:6: ray-cluster.worker.resources.requests.cpu" in line
        for line in errors(result)
    ), result.stderr


def test_the_operators_requests_above_its_limits_are_refused() -> None:
    result = render_114("--set", "kuberay-operator.resources.requests.cpu=1")
    assert result.exit_code == 1
    assert "kuberay-operator.resources.requests.cpu" in result.stderr and "100m" in result.stderr


# -- issue 12, points 5 and 9: translated env names, undersized pods


@pytest.mark.parametrize("where", [f"{HEAD}.containerEnv", "ray-cluster.common.containerEnv"])
def test_a_translated_env_var_name_is_refused_naming_the_guides_name(
    tmp_path: Path, where: str
) -> None:
    section, key = where.rsplit(".", 1)
    nested = section.split(".")
    text = "".join(f"{'  ' * i}{part}:\n" for i, part in enumerate(nested))
    indent = "  " * len(nested)
    text += f"{indent}{key}:\n{indent}  - name: STRAAL_SCHEDULER_SPREIDING_DREMPEL\n"
    text += f'{indent}    value: "0.0"\n'
    result = cli("render", *LICENSE, "-f", write(tmp_path, text))
    assert result.exit_code == 1
    line = len(nested) + 2
    assert f"values.yaml:{line}: {where}[0].name" in result.stderr, result.stderr
    assert "RAY_SCHEDULER_SPREAD_THRESHOLD" in result.stderr


def test_an_enabled_small_group_is_warned_about_as_the_chart_advises() -> None:
    result = render_114("--set", "ray-cluster.additionalWorkerGroups.smallGroup.disabled=false")
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "smallGroup.resources" in line]
    assert warning and "8G" in warning[0], result.stderr


# -- issue 13, point 4: what the API server refuses


def set_json(key: str, value: object) -> tuple[str, str]:
    return ("--set-json", f"{key}={json.dumps(value)}")


REFUSED: dict[str, tuple[tuple[str, ...], str]] = {  # case: (arguments, key path in the error)
    "operator service port 0": (("--set", "kuberay-operator.service.port=0"), "service.port"),
    "operator service port 65536": (
        ("--set", "kuberay-operator.service.port=65536"),
        "kuberay-operator.service.port",
    ),
    "container port 70000": (
        set_json(f"{HEAD}.ports", [{"name": "extra", "containerPort": 70000}]),
        f"{HEAD}.ports[0].containerPort",
    ),
    "init container port": (
        set_json(
            f"{HEAD}.initContainers",
            [{"name": "i", "image": "busybox:1.28", "ports": [{"containerPort": 0}]}],
        ),
        f"{HEAD}.initContainers[0].ports[0].containerPort",
    ),
    "negative cpu": (
        ("--set", f"{HEAD}.resources.requests.cpu=-1"),
        f"{HEAD}.resources.requests.cpu",
    ),
    "negative operator memory": (
        ("--set", "kuberay-operator.resources.limits.memory=-1Gi"),
        "kuberay-operator.resources.limits.memory",
    ),
    "negative storage": (("--set", "storage.dataStorage=-1Gi"), "storage.dataStorage"),
    "empty env name": (
        set_json(f"{HEAD}.containerEnv", [{"name": "", "value": "x"}]),
        f"{HEAD}.containerEnv[0].name",
    ),
    "empty common env name": (
        set_json("ray-cluster.common.containerEnv", [{"name": "", "value": "x"}]),
        "ray-cluster.common.containerEnv[0].name",
    ),
    "empty operator env name": (
        set_json("kuberay-operator.env", [{"name": "", "value": "x"}]),
        "kuberay-operator.env[0].name",
    ),
    "volume name": (
        set_json(f"{HEAD}.volumes", [{"name": "BAD_VOL", "emptyDir": {}}]),
        f"{HEAD}.volumes[0].name",
    ),
    "storage class": (("--set", "storage.storageClassName=Bad SC"), "storage.storageClassName"),
    "Exists with a value": (
        set_json(f"{HEAD}.tolerations", [{"key": "gpu", "operator": "Exists", "value": "yes"}]),
        f"{HEAD}.tolerations[0]",
    ),
    "operator toleration Exists with a value": (
        set_json("kuberay-operator.tolerations", [{"operator": "Exists", "value": "yes"}]),
        "kuberay-operator.tolerations[0].value",
    ),
    "namespace of 64 characters": (
        set_json("kuberay-operator.watchNamespace", ["n" * 64]),
        "kuberay-operator.watchNamespace[0]",
    ),
    "empty license": (("--set", "SynthoLicense="), "SynthoLicense"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_api_server_refuses_is_refused(case: str) -> None:
    arguments, path = REFUSED[case]
    result = render_114(*arguments)
    assert result.exit_code == 1, result.output
    lines = errors(result)
    assert lines and any(path in line for line in lines), result.stderr
    assert "Traceback" not in result.output and "unexpected" not in result.output


@pytest.mark.parametrize("where", [HEAD, "kuberay-operator", "ray-cluster"])
def test_annotations_over_256_kib_in_total_are_refused(tmp_path: Path, where: str) -> None:
    data: dict[str, Any] = {"a": "x" * 200_000, "b": "y" * 100_000}
    for key in reversed([*where.split("."), "annotations"]):
        data = {key: data}
    path = write(tmp_path, yaml.safe_dump(data))
    result = cli("render", *LICENSE, "-f", path)
    assert result.exit_code == 1
    assert f"{where}.annotations" in result.stderr and "256 KiB" in result.stderr


def test_an_empty_license_is_fine_with_a_secret_of_ones_own() -> None:
    result = cli(
        "render", "--chart", "1.14", "--set", "SynthoLicense=", "--set", "manualSecretName=mine"
    )
    assert result.exit_code == 0, result.stderr
