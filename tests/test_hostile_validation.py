"""Issue 13, point 4: what the API server would refuse is refused at render, with its key path.

Each case rendered with exit 0 before, though `kubectl apply` of the output fails.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml
from support.cli_process import one_clear_error, syntho_ray

LICENSE = ("--set", "SynthoLicense=validation-license-1")
NAME_64 = "n" * 64


def set_json(key: str, value: object) -> tuple[str, str]:
    return ("--set-json", f"{key}={json.dumps(value)}")


REFUSED: dict[str, tuple[tuple[str, ...], str]] = {  # case: (arguments, key path in the error)
    "service port 0": (("--set", "service.port=0"), "service.port"),
    "service port 65536": (("--set", "service.port=65536"), "service.port"),
    "container port 70000": (
        set_json("head.ports", [{"name": "extra", "containerPort": 70000}]),
        "head.ports[0].containerPort",
    ),
    "negative cpu": (("--set", "head.resources.requests.cpu=-1"), "head.resources.requests.cpu"),
    "negative storage": (("--set", "storage.dataStorage=-1Gi"), "storage.dataStorage"),
    "empty env name": (
        set_json("head.containerEnv", [{"name": "", "value": "x"}]),
        "head.containerEnv[0].name",
    ),
    "volume name": (
        set_json(
            "head.volumes",
            [{"name": "log-volume", "emptyDir": {}}, {"name": "BAD_VOL", "emptyDir": {}}],
        ),
        "head.volumes[1].name",
    ),
    "storage class": (("--set", "storage.storageClassName=Bad SC"), "storage.storageClassName"),
    "Exists with a value": (
        set_json("head.tolerations", [{"key": "gpu", "operator": "Exists", "value": "yes"}]),
        "head.tolerations[0]",
    ),
    "namespace of 64 characters": (set_json("watchNamespace", [NAME_64]), "watchNamespace[0]"),
    "sparse --set list index": (("--set", "head.tolerations[5].key=x"), "head.tolerations"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_api_server_refuses_is_refused(case: str) -> None:
    arguments, path = REFUSED[case]
    message = one_clear_error(syntho_ray("render", *LICENSE, *arguments))
    assert path in message, message


def test_annotations_over_256_kib_in_total_are_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        yaml.safe_dump({"head": {"annotations": {"a": "x" * 200_000, "b": "y" * 100_000}}}),
        encoding="utf-8",
    )
    message = one_clear_error(syntho_ray("render", *LICENSE, "-f", values))
    assert "head.annotations" in message and "256 KiB" in message


def test_the_sparse_index_message_says_what_is_missing() -> None:
    message = one_clear_error(syntho_ray("render", *LICENSE, "--set", "head.tolerations[5].key=x"))
    assert "head.tolerations[0]" in message and "[5]" in message


def test_an_exbibyte_claim_is_a_valid_quantity(tmp_path: Path) -> None:
    ran = syntho_ray("render", *LICENSE, "--set", "storage.dataStorage=1Ei")
    assert ran.returncode == 0, ran.stderr
    claims = [
        d for d in yaml.safe_load_all(ran.stdout) if d and d["kind"] == "PersistentVolumeClaim"
    ]
    sizes = {c["metadata"]["name"]: c["spec"]["resources"]["requests"]["storage"] for c in claims}
    assert sizes["ray-data-claim"] == "1Ei"


@pytest.mark.parametrize("quantity", ["1Ei", "8Ei", "1E", "9e18"])
def test_huge_resource_quantities_never_crash(quantity: str) -> None:
    ran = syntho_ray("render", *LICENSE, "--set", f"head.resources.limits.memory={quantity}")
    assert "unexpected" not in ran.stderr and "Traceback" not in ran.stderr, ran.stderr
    assert ran.returncode in (0, 1), ran.stderr


def test_an_empty_license_is_refused(tmp_path: Path) -> None:
    message = one_clear_error(syntho_ray("render", "--set", "SynthoLicense="))
    assert "SynthoLicense" in message and "empty" in message
    message = one_clear_error(syntho_ray("render", "--strict", "--set", "SynthoLicense="))
    assert "SynthoLicense" in message


def test_an_empty_license_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "license.txt"
    empty.write_bytes(b"")
    message = one_clear_error(syntho_ray("render", "--set-file", f"SynthoLicense={empty}"))
    assert "SynthoLicense" in message and "empty" in message


def test_an_empty_license_is_fine_with_a_secret_of_ones_own() -> None:
    ran = syntho_ray("render", "--set", "SynthoLicense=", "--set", "manualSecretName=my-license")
    assert ran.returncode == 0, ran.stderr


def test_a_license_files_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    license_file = tmp_path / "license.txt"
    license_file.write_bytes(b"\xef\xbb\xbfBOM-LICENSE-42\n")
    ran = syntho_ray("render", "--set-file", f"SynthoLicense={license_file}")
    assert ran.returncode == 0, ran.stderr
    secret = next(d for d in yaml.safe_load_all(ran.stdout) if d and d["kind"] == "Secret")
    assert base64.b64decode(secret["data"]["license_key"]) == b"BOM-LICENSE-42"
