"""Shared set-up of the cluster tests: an emulator ready for the release, and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from support.kube_emulator import Emulator, running
from syntho_ray import cli
from syntho_ray.cli import cluster as cluster_cli
from syntho_ray.cluster.connect import RetryPolicy

LICENSE = "SYNTHO-LIC-cluster-tests-9f3c"
VALUES = f"SynthoLicense: {LICENSE}\n"
FAST = RetryPolicy(budget=1.5, first_delay=0.01, max_delay=0.05)


@contextmanager
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An emulator on 127.0.0.1, with fast retries and polling in the CLI."""
    monkeypatch.setattr(cluster_cli, "RETRY", FAST)
    monkeypatch.setattr(cluster_cli, "CRD_POLL", 0.02)
    with running(tmp_path) as emu:
        yield emu


def ready_for_release(emu: Emulator) -> None:
    """What the release relies on: the CRD, the default StorageClass, the pull Secret."""
    emu.serve_raycluster()
    emu.put(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {"name": "default"},
            "provisioner": "test",
        }
    )
    emu.put(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": "syntho-cr-secret", "namespace": "syntho"},
            "data": {".dockerconfigjson": "e30="},
        }
    )


def values_file(tmp_path: Path, text: str = VALUES, name: str = "values.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(emu: Emulator | None, *args: str, kubeconfig: Path | None = None, **kwargs: Any) -> Result:
    """The CLI in-process, pointed at the emulator; the license never shows."""
    config = kubeconfig or (emu.kubeconfig if emu else None)
    extra = ["--kubeconfig", str(config)] if config else []
    result = CliRunner().invoke(cli.app, [*args, *extra], **kwargs)
    assert LICENSE not in result.output
    return result
