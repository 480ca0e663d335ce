"""Air-gapped registries: every image from the mirror, `syntho-ray images` (syntho_ray.images)."""

from __future__ import annotations

from typing import Any

import pytest
from test_cli import RUNNER

from syntho_ray import cli, values_from_mapping
from syntho_ray.build.images import autoscaler_image, used_images
from syntho_ray.render import render_documents, resolved_values
from syntho_ray.resolve.platform import mirrored, relocated

MIRROR = "registry.local:5000/syntho"
EVERYTHING: dict[str, Any] = {
    "SynthoLicense": "k",
    "worker": {"disabled": False},
    "additionalWorkerGroups": {"smallGroup": {"disabled": False, "initContainerImage": "alpine:3"}},
    "head": {
        "enableInTreeAutoscaling": True,
        "autoscalerOptions": {"image": "rayproject/ray:2.9.0"},
        "sidecarContainers": [{"name": "log", "image": "quay.io/fluentd/fluentd:v1"}],
    },
}


def _images(data: dict[str, Any]) -> list[str]:
    values = values_from_mapping(data)
    return used_images(render_documents(values), autoscaler_image(resolved_values(values)))


def images_command(*args: str) -> Any:
    return RUNNER.invoke(cli.app, ["images", *args])


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("syntho.azurecr.io/syntho-ray:latest-cpu", f"{MIRROR}/syntho-ray:latest-cpu"),
        ("busybox:1.28", f"{MIRROR}/library/busybox:1.28"),
        ("docker.io/busybox:1.28", f"{MIRROR}/library/busybox:1.28"),
        ("rayproject/ray:2.0.0", f"{MIRROR}/rayproject/ray:2.0.0"),
        ("quay.io/kuberay/operator:v1.2.2", f"{MIRROR}/kuberay/operator:v1.2.2"),
        ("localhost/ray@sha256:abc", f"{MIRROR}/ray@sha256:abc"),
        ("host:5000/team/ray:1", f"{MIRROR}/team/ray:1"),
        (f"{MIRROR}/syntho-ray:1", f"{MIRROR}/syntho-ray:1"),
    ],
)
def test_an_image_keeps_its_path_under_the_mirror(image: str, expected: str) -> None:
    assert mirrored(image, MIRROR + "/") == expected


def test_every_image_of_the_render_moves_to_the_mirror() -> None:
    found = _images(EVERYTHING | {"registry": MIRROR})
    assert found == [
        f"{MIRROR}/fluentd/fluentd:v1",
        f"{MIRROR}/library/alpine:3",
        f"{MIRROR}/library/busybox:1.28",
        f"{MIRROR}/rayproject/ray:2.9.0",
        f"{MIRROR}/syntho-ray-operator:latest",
        f"{MIRROR}/syntho-ray:latest-cpu",
    ]


def test_the_list_names_every_image_once_without_a_mirror() -> None:
    assert _images(EVERYTHING) == [
        "alpine:3",
        "busybox:1.28",
        "quay.io/fluentd/fluentd:v1",
        "rayproject/ray:2.9.0",
        "syntho.azurecr.io/syntho-ray-operator:latest",
        "syntho.azurecr.io/syntho-ray:latest-cpu",
    ]


def test_the_autoscaler_runs_the_ray_image_unless_kuberay_0_x_falls_back() -> None:
    autoscaling = {"head": {"enableInTreeAutoscaling": True}}
    assert autoscaler_image(resolved_values(values_from_mapping(autoscaling))) == (
        "syntho.azurecr.io/syntho-ray:latest-cpu"
    )
    old_ray = {"head": {"enableInTreeAutoscaling": True, "rayVersion": "1.13.0"}}
    assert autoscaler_image(resolved_values(values_from_mapping(old_ray))) == "rayproject/ray:2.0.0"
    newer = old_ray | {"kuberay": {"version": "1.0.0"}}
    assert (
        autoscaler_image(resolved_values(values_from_mapping(newer)))
        == "syntho.azurecr.io/syntho-ray:latest-cpu"
    )
    assert autoscaler_image(resolved_values(values_from_mapping({}))) is None


def test_a_fallback_autoscaler_image_is_moved_and_written() -> None:
    data = {"registry": MIRROR, "head": {"enableInTreeAutoscaling": True, "rayVersion": "1.13.0"}}
    cluster = next(
        d for d in render_documents(values_from_mapping(data)) if d["kind"] == "RayCluster"
    )
    assert cluster["spec"]["autoscalerOptions"] == {"image": f"{MIRROR}/rayproject/ray:2.0.0"}


def test_relocation_is_idempotent_and_off_without_a_registry() -> None:
    values = values_from_mapping(EVERYTHING)
    assert relocated(values) is values
    moved = relocated(values_from_mapping(EVERYTHING | {"registry": MIRROR}))
    assert relocated(moved) == moved


def test_images_command_prints_one_image_per_line() -> None:
    result = images_command("--registry", MIRROR, "--set", "worker.disabled=false")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{MIRROR}/library/busybox:1.28",
        f"{MIRROR}/syntho-ray-operator:latest",
        f"{MIRROR}/syntho-ray:latest-cpu",
    ]


def test_images_command_follows_the_platform() -> None:
    lines = images_command("--platform", "openshift").stdout.splitlines()
    assert not any("busybox" in line for line in lines)  # no chmod init container there
