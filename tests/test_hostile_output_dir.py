"""Issue 13, point 6: `render -o DIR` keeps what the user added, keeps the mode, is locked.

A render killed mid-way leaves hidden staging directories: the next render removes them.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import yaml
from support.cli_process import syntho_ray

LICENSE = ("--set", "SynthoLicense=output-license-1")


def render_into(directory: Path, *arguments: str) -> None:
    ran = syntho_ray("render", "-q", *LICENSE, *arguments, "-o", directory)
    assert ran.returncode == 0, ran.stderr


def kustomization(directory: Path) -> dict[str, object]:
    data = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_users_entries_in_the_kustomization_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    render_into(out)
    (out / "configmap-mine.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: mine}\n", encoding="utf-8"
    )
    path = out / "kustomization.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "resources:\n", "resources:\n- configmap-mine.yaml\n"
    )
    text += "commonAnnotations:\n  team: data\n"
    path.write_text(text, encoding="utf-8")
    render_into(out, "--set", "worker.disabled=false")
    data = kustomization(out)
    resources = data["resources"]
    assert isinstance(resources, list)
    assert "configmap-mine.yaml" in resources and "raycluster-ray-cluster.yaml" in resources
    assert data["commonAnnotations"] == {"team": "data"}
    assert (out / "configmap-mine.yaml").exists()


def test_the_directorys_mode_is_kept(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    out.mkdir(mode=0o700)
    out.chmod(0o700)
    render_into(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    render_into(out, "--set", "worker.disabled=false")
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_a_new_directory_is_made_as_mkdir_would(tmp_path: Path) -> None:
    out = tmp_path / "fresh"
    ran = syntho_ray("render", "-q", *LICENSE, "-o", out, umask=0o077)
    assert ran.returncode == 0, ran.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_the_leftovers_of_a_killed_render_are_cleaned_up(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    render_into(out)
    # What `kill -9` during a render leaves beside the directory: its staging copy and the
    # retired old directory, both hidden and named after it.
    for leftover in (tmp_path / ".manifests.k2j3h4g5", tmp_path / ".manifests.old.q8w7e6r5"):
        shutil.copytree(out, leftover)
    mine = tmp_path / ".manifests.backup"  # the user's own: not syntho-ray's to remove
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    render_into(out)
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == [".manifests.backup"]


def test_concurrent_renders_leave_exactly_one_render(tmp_path: Path) -> None:
    out = tmp_path / "manifests"
    variants = [
        ["--set", "worker.disabled=false"],
        ["--set", "rbacEnable=false"],
        ["--set", "serviceAccount.create=false"],
        ["--set", "worker.disabled=false", "--set", "rbacEnable=false"],
        [],
        ["--set", "manualSecretName=mine"],
    ]
    command = [sys.executable, "-m", "syntho_ray", "render", "-q", *LICENSE, "-o", str(out)]
    for _ in range(5):
        processes = [
            subprocess.Popen([*command, *variant], stderr=subprocess.PIPE, text=True)
            for variant in variants
        ]
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        listed = set(kustomization(out)["resources"])  # type: ignore[arg-type]
        files = {p.name for p in out.iterdir() if p.is_file()} - {"kustomization.yaml"}
        assert files == listed, (files, listed)
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
        assert os.listdir(out / "crds") == ["kustomization.yaml"]
