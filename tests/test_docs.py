"""The README and the committed manifests stay in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syntho_ray.cli import app
from syntho_ray.output.kustomize import directory_files
from syntho_ray.render import render_documents
from syntho_ray.values.model import Values, WorkerGroupValues
from syntho_ray.values.reference import END, START, values_reference

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "defaults"  # not manifests/: that is where users render


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
        p.relative_to(EXAMPLE).as_posix(): p.read_text(encoding="utf-8")
        for p in EXAMPLE.rglob("*")
        if p.is_file()
    }
    assert committed == {name: "".join(text) for name, (text, _) in expected.items()}, (
        "run `make examples` and commit examples/defaults/"
    )


def test_readme_shows_install_render_and_test_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "syntho-ray render -f my-values.yaml -o manifests/" in readme
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


RAYCLUSTER_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: rayclusters.ray.io}
spec:
  group: ray.io
  names: {kind: RayCluster, plural: rayclusters, singular: raycluster}
  scope: Namespaced
  versions: [{name: v1alpha1, served: true, storage: true}]
"""
OFFLINE_COMMANDS = ("render", "validate", "images", "init", "schema", "convert")


def _readme_commands() -> list[str]:
    """Every `syntho-ray` command of the README's shell examples that needs no cluster."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```", readme, flags=re.S | re.M)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [
        line.removeprefix("syntho-ray ")
        for line in lines
        if line.startswith("syntho-ray ")
        and "|" not in line
        and line.split()[1] in OFFLINE_COMMANDS
    ]


def test_readme_shows_offline_commands() -> None:
    assert len(_readme_commands()) >= 8


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    values = "SynthoLicense: key\nimage:\n  tag: 2.9.3\n"
    for name in ("values.yaml", "my-values.yaml", "prod.yaml"):
        (tmp_path / name).write_text(values, encoding="utf-8")
    if "--crds kuberay-crds/" in command:  # KubeRay's CRD files, carried in (made here)
        crds = tmp_path / "kuberay-crds"
        crds.mkdir()
        (crds / "ray.io_rayclusters.yaml").write_text(RAYCLUSTER_CRD, encoding="utf-8")
    if command.startswith("init"):  # it writes the file the commands after it read
        for name in ("values.yaml", "my-values.yaml"):
            (tmp_path / name).unlink()
    result = CliRunner().invoke(app, command.split())
    assert result.exit_code == 0, result.stderr


def _architecture_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]


def test_readme_architecture_names_every_module_of_the_tree_and_no_other() -> None:
    package = ROOT / "syntho_ray"
    section = _architecture_section()
    found = re.findall(r"`([a-z_0-9]+/[a-z_0-9]+\.py|[a-z_]+\.py)`", section)
    named = {name for name in found if not name.startswith("tests/")}
    tree = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py") or p.parent == package
    }
    assert sorted(named - tree) == [], "the README's Architecture section names a missing module"
    assert sorted(tree - named) == [], "name the new module in the README's Architecture section"


def test_readme_architecture_names_every_subpackage() -> None:
    section = _architecture_section()
    packages = {p.parent.name for p in (ROOT / "syntho_ray").glob("*/__init__.py")}
    assert {p for p in packages if f"| {p} |" not in section} == set()
