"""Issue 13, point 2: the license never shows in any command's output, errors and --debug.

Secret data is masked in `diff` as `kubectl diff` masks it (`***`, `*** (before)`,
`*** (after)`); a malformed `--set`/`--set-json` is reported without its value.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from support.cli_process import Ran, one_clear_error, syntho_ray
from support.kube_emulator import Emulator

LICENSE = "SYNTHO-LIC-hostile-7d2e41aa"
ROTATED = "SYNTHO-LIC-hostile-rotated-5c9b"


def forms(secret: str) -> list[str]:
    """How a secret can show: as it is, and as Secret data (base64)."""
    return [secret, base64.b64encode(secret.encode()).decode()]


def assert_no_license(ran: Ran, *, stdout: bool = True) -> None:
    shown = ran.output if stdout else ran.stderr
    for secret in (LICENSE, ROTATED):
        for form in forms(secret):
            assert form not in shown, f"{form} shown:\n{shown}"


@pytest.fixture
def values(tmp_path: Path) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(f"SynthoLicense: {LICENSE}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("option", "expression"),
    [
        ("--set", f"SynthoLicense={{{LICENSE}"),
        ("--set", f"SynthoLicense[0]={LICENSE}"),
        ("--set-json", f"SynthoLicense={LICENSE}"),
        ("--set-json", f'SynthoLicense="{LICENSE}'),
        ("--set-json", f'SynthoLicense={{"key":"{LICENSE}"'),
        ("--set-json", f'SynthoLicense={{"key":"{LICENSE}"}}'),
        ("--set-string", f"SynthoLicense[0]={LICENSE}"),
    ],
)
def test_a_malformed_set_never_echoes_its_value(option: str, expression: str) -> None:
    ran = syntho_ray("render", option, expression)
    one_clear_error(ran)
    assert "SynthoLicense" in ran.stderr  # the key is named
    assert_no_license(ran)


def test_a_set_over_a_set_never_echoes_the_value() -> None:
    ran = syntho_ray("render", "--set", f"SynthoLicense={LICENSE}", "--set", "SynthoLicense.x=1")
    one_clear_error(ran)
    assert_no_license(ran)


@pytest.mark.parametrize(
    "text",
    [f"SynthoLicense: {{key: {LICENSE}}}\n", f"SynthoLicense: [{LICENSE}]\n"],
)
def test_a_license_of_the_wrong_type_is_reported_without_it(tmp_path: Path, text: str) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(text, encoding="utf-8")
    ran = syntho_ray("render", "-f", path)
    one_clear_error(ran)
    assert_no_license(ran)


def test_diff_masks_secret_data_as_kubectl_diff_does(
    emu: Emulator, values: Path, tmp_path: Path
) -> None:
    kubeconfig = ("--kubeconfig", str(emu.kubeconfig))
    assert syntho_ray("apply", "-f", values, *kubeconfig).returncode == 0
    rotated = tmp_path / "rotated.yaml"
    rotated.write_text(f"SynthoLicense: {ROTATED}\n", encoding="utf-8")
    ran = syntho_ray("diff", "-f", rotated, *kubeconfig)
    assert ran.returncode == 1, ran.stderr  # would change
    assert_no_license(ran)
    assert "Secret" in ran.stdout
    assert "*** (before)" in ran.stdout and "*** (after)" in ran.stdout


def test_no_command_shows_the_license(emu: Emulator, values: Path, tmp_path: Path) -> None:
    """Every command, with and without --debug: stdout (but render's manifest) and stderr."""
    kubeconfig = ("--kubeconfig", str(emu.kubeconfig))
    rotated = tmp_path / "rotated.yaml"
    rotated.write_text(f"SynthoLicense: {ROTATED}\n", encoding="utf-8")
    for debug in ((), ("--debug",)):
        out = tmp_path / f"out{len(debug)}"
        manifests = syntho_ray("render", "-f", values, *debug)
        assert manifests.returncode == 0 and LICENSE not in manifests.stderr
        runs = [
            syntho_ray("render", "-f", values, "-o", out, *debug),
            syntho_ray("validate", "-f", values, *debug),
            syntho_ray("images", "-f", values, *debug),
            syntho_ray("check", "-f", values, *kubeconfig, *debug),
            syntho_ray("apply", "-f", values, "--dry-run=client", *kubeconfig, *debug),
            syntho_ray("apply", "-f", values, "--dry-run=server", *kubeconfig, *debug),
            syntho_ray("apply", "-f", values, *kubeconfig, *debug),
            syntho_ray("diff", "-f", rotated, *kubeconfig, *debug),
            syntho_ray("apply", "-f", rotated, "--dry-run=server", *kubeconfig, *debug),
            syntho_ray("status", "-f", values, *kubeconfig, *debug),
            syntho_ray("delete", "-f", values, "--yes", "--all", *kubeconfig, *debug),
            syntho_ray("diff", "-f", values, *kubeconfig, *debug),
        ]
        for ran in runs:
            assert not ran.hung and "Traceback" not in ran.stderr, ran.stderr
            assert_no_license(ran)
