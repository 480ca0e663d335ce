"""A real Ray head and worker, started as KubeRay starts case 02's Pods, run a task: the
fallback where the end-to-end components are not built.

Where they are (CI builds them), tests/e2e/test_ray_head_from_operator.py takes the command
lines, env and all from the Pods the real KubeRay operator creates, and checks
tests/support/kuberay_start.py's transcription against them; this test then skips. Here the
command lines come from that transcription of KubeRay's pod builder; only ports, the node
address, paths and resource sizes are made local (tests/support/ray_nodes.py). A Ray client at
the head's client port (10001 in the cluster, the port of `ray_address`) runs a task on each
node.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.kuberay_start import head_command, worker_command
from support.ray_nodes import CLIENT_PORT, NodesFor, client_runs_a_task, localized

from syntho_ray import Release, ValuesInput, load_values, render_documents
from syntho_ray.facts import ray as ray_facts

pytestmark = pytest.mark.ray
ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT.parent / "shared/reference/cases/02-production.yaml"
VERSIONS = [ray_facts.newest().version, "2.9.3"]  # 2.9.3 still has `--storage`


def e2e_built() -> bool:
    """Whether the end-to-end components (Go, the KubeRay operator) are built here."""
    check = [sys.executable, str(ROOT / "tests/e2e/build.py"), "--check"]
    return subprocess.run(check, capture_output=True, check=False).returncode == 0


def rendered_cluster(version: str) -> tuple[dict[str, Any], str]:
    """Case 02's RayCluster with head.rayVersion set, and the KubeRay release it is for."""
    values = load_values(ValuesInput(files=[str(CASE)], set_values=[f"head.rayVersion={version}"]))
    docs = render_documents(values, Release())
    cluster = next(d for d in docs if d["kind"] == "RayCluster")
    return cluster, values.kuberay_release


@pytest.mark.parametrize("version", VERSIONS)
def test_case_02_head_runs_a_task_at_the_client_port(version: str, ray_nodes: NodesFor) -> None:
    if e2e_built():
        pytest.skip(
            "the end-to-end components are built: tests/e2e/test_ray_head_from_operator.py "
            "starts the head from the real operator's Pods instead of this transcription"
        )
    cluster, kuberay_release = rendered_cluster(version)
    head = head_command(cluster, kuberay_release)
    worker = worker_command(cluster, 0, kuberay_release)
    has_storage = ray_facts.has_option(version, "storage")
    assert ("--storage=/tmp/ray-workflows" in head) == has_storage
    assert ("--storage=/tmp/ray-workflows" in worker) == has_storage
    assert "--block" in head and "--dashboard-host=0.0.0.0" in head
    container = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container.get("env") or [] if "value" in e}
    nodes = ray_nodes(version, env)
    nodes.start(localized(head, version, nodes.tmp))
    nodes.wait_for_port(CLIENT_PORT)  # the head's last process: it has started
    nodes.start(localized(worker, version, nodes.tmp))
    client_runs_a_task(nodes)
