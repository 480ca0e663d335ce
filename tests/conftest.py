"""Fixtures the test modules share, and the Hypothesis profiles.

Hypothesis: `ci` is deterministic, `random` finds new examples. CI runs
`pytest --hypothesis-profile=ci` (.ci/run, `make check`): the same examples on every run, none
saved between runs and no deadline, so that a run cannot fail at random on a loaded machine. A
plain `pytest` (or `--hypothesis-profile=random`) draws new examples each run and keeps failing
ones in .hypothesis/ to replay them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from support.cluster_setup import emulator, ready_for_release
from support.kube_emulator import Emulator
from support.ray_nodes import Nodes, NodesFor, nodes_for

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=50,  # for tests without their own; tests that set max_examples keep theirs
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
# New examples each run, even where CI=true makes Hypothesis load its own deterministic profile.
settings.register_profile("random", settings.get_profile("default"), deadline=None)


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


@pytest.fixture
def ray_nodes() -> Iterator[NodesFor]:
    """`ray_nodes(version, env)`: real Ray nodes for the test (support/ray_nodes.py `nodes_for`);
    the test skips where that Ray does not install, and each process is ended after it."""
    with contextlib.ExitStack() as stack:

        def make(version: str, env: Mapping[str, str]) -> Nodes:
            return stack.enter_context(nodes_for(version, env))

        yield make
