"""The README and the committed manifests stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syntho_ray.cli import app
from syntho_ray.docs import END, START, values_reference
from syntho_ray.output import directory_files
from syntho_ray.render import render_documents
from syntho_ray.values import Values, WorkerGroupValues

ROOT = Path(__file__).resolve().parent.parent


def test_readme_values_reference_matches_the_model() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == values_reference(), "run `make docs` and commit README.md"


def test_values_reference_lists_every_field() -> None:
    table = values_reference()
    for name, info in Values.model_fields.items():
        assert f"| `{info.alias or name}" in table
    for name, info in WorkerGroupValues.model_fields.items():
        assert f"`additionalWorkerGroups.<name>.{info.alias or name}`" in table


def test_committed_manifests_are_a_fresh_render_of_the_defaults() -> None:
    expected = directory_files(render_documents(Values()), "syntho")
    committed = {
        p.relative_to(ROOT / "manifests").as_posix(): p.read_text(encoding="utf-8")
        for p in (ROOT / "manifests").rglob("*")
        if p.is_file()
    }
    assert committed == {name: text for name, (text, _) in expected.items()}, (
        "run `make manifests` and commit manifests/"
    )


def test_readme_shows_install_render_and_test_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install . && syntho-ray render -o manifests/" in readme
    assert "pip install -e '.[test]' && pytest" in readme
    assert "kubectl apply --server-side -k manifests/crds" in readme


def _fenced_blocks(markdown: str) -> list[str]:
    """The bodies of the fenced code blocks, in order."""
    return re.findall(r"^```[a-z]*\n(.*?)^```", markdown, flags=re.S | re.M)


def test_readme_error_example_is_what_the_cli_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = _fenced_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    index = next(i for i, b in enumerate(blocks) if b.startswith("$ syntho-ray render -f values"))
    command, *expected = blocks[index].strip().splitlines()
    (tmp_path / "values.yaml").write_text(blocks[index - 1], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, command.removeprefix("$ syntho-ray ").split())
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == expected
