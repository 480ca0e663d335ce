"""Issue 13, point 5: inputs that gave "unexpected" errors get one clear line and exit code.

And a `[` inside a comment or a quoted string is not nesting.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest
import yaml
from support.cli_process import one_clear_error, syntho_ray

LICENSE = ("--set", "SynthoLicense=errors-license-1")


def test_set_json_nested_900_deep() -> None:
    deep = "[" * 900 + "]" * 900
    message = one_clear_error(syntho_ray("render", *LICENSE, "--set-json", f"head.x={deep}"))
    assert "--set-json" in message and "nested" in message


def test_set_with_bytes_that_are_not_utf8() -> None:
    value = os.fsdecode(b"SynthoLicense=\xff\xfe")
    message = one_clear_error(syntho_ray("render", "--set", value))
    assert "SynthoLicense" in message and "UTF-8" in message


def test_a_set_into_a_value_set_before() -> None:
    ran = syntho_ray("render", *LICENSE, "--set", "clustername=x", "--set", "clustername.b=1")
    message = one_clear_error(ran)
    assert "clustername.b" in message


def test_output_into_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    message = one_clear_error(syntho_ray("render", *LICENSE, "-o", tmp_path / "loop1"))
    assert "loop1" in message and "symbolic link" in message


def test_output_into_the_root_directory_is_refused_at_once() -> None:
    ran = syntho_ray("render", *LICENSE, "-o", "/", timeout=20)
    message = one_clear_error(ran)
    assert "/" in message


def test_writing_to_a_full_device() -> None:
    with open("/dev/full", "wb") as full:
        ran = syntho_ray("render", *LICENSE, stdout=full)
    message = one_clear_error(ran)
    assert "standard output" in message and "No space left" in message


@pytest.mark.parametrize(
    "text",
    [
        "# " + "[" * 80 + "\nSynthoLicense: bracket-license\n",
        'SynthoLicense: "' + "[" * 80 + 'bracket-license"\n',
        "SynthoLicense: '" + "{" * 80 + "bracket-license'\n",
        "SynthoLicense: |\n  " + "[" * 80 + "bracket-license\n",
        "SynthoLicense: plain" + "[" * 80 + "bracket-license\n",
    ],
)
def test_brackets_in_comments_and_strings_are_not_nesting(tmp_path: Path, text: str) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(text, encoding="utf-8")
    ran = syntho_ray("render", "-f", values)
    assert ran.returncode == 0, ran.stderr
    secret = next(d for d in yaml.safe_load_all(ran.stdout) if d and d["kind"] == "Secret")
    expected = yaml.safe_load(text)["SynthoLicense"].strip()
    assert base64.b64decode(secret["data"]["license_key"]).decode() == expected


def test_real_flow_nesting_is_still_refused(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("x: " + "[" * 200 + "]" * 200 + "\n", encoding="utf-8")
    message = one_clear_error(syntho_ray("render", "-f", values))
    assert "nested" in message and json.dumps(str(values))[1:-1] in message
