"""Fixtures the test modules share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster_setup import emulator, ready_for_release
from kube_emulator import Emulator


@pytest.fixture
def emu(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Emulator]:
    """The Kubernetes API emulator, ready for a release (KubeRay 0.4.0's RayCluster CRD and
    storage); empty for a module marked `bare_emulator`."""
    with emulator(tmp_path, monkeypatch) as running:
        if request.node.get_closest_marker("bare_emulator") is None:
            ready_for_release(running)
        yield running
