"""Which name of the spread threshold's env var a real Ray reads (issue 12).

The chart (and the guide) sets `RAY_SCHEDULER_SPREAD_THRESHOLD=0.0` on every Ray container.
Ray reads its C++ settings from `RAY_<name>` in the setting's own case
(`RAY_scheduler_spread_threshold`; src/ray/common/ray_config.h builds the name as
`"RAY_" #name` and looks it up with getenv, which is case-sensitive). This test shows it on a
real head and worker of the newest Ray: the same value under each name, and where the second
actor of a driver on the head goes. Each node has 4 CPUs and each actor holds one: at Ray's
default threshold (0.5) the head is still under it with one actor (25 %) and keeps the second;
at 0.0 every used CPU counts, so the second goes to the idle worker
(raylet/scheduling/policy/hybrid_scheduling_policy.cc).
"""

from __future__ import annotations

import json

import pytest
from support.ray_nodes import GCS_PORT, LOCAL_SIZES, WORKER_PORTS, NodesFor

from syntho_ray.facts import ray as ray_facts
from syntho_ray.values.suggest import RAY_READS

pytestmark = pytest.mark.ray
VERSION = ray_facts.newest().version
CPUS = "4"
# A driver on the head places two one-CPU actors one after the other; which node got each.
PLACE = """
import json, sys, time
import ray

ray.init(address=sys.argv[1])
deadline = time.monotonic() + 120
while ray.cluster_resources().get("CPU", 0) < 8 and time.monotonic() < deadline:
    time.sleep(0.5)
time.sleep(3)  # the head's raylet hears of the worker's resources
head = ray.get_runtime_context().get_node_id()

@ray.remote(num_cpus=1)
class Holder:
    def node(self):
        return ray.get_runtime_context().get_node_id()

holders, placed = [], []
for _ in range(2):
    holders.append(Holder.remote())
    node = ray.get(holders[-1].node.remote(), timeout=120)
    placed.append("head" if node == head else "worker")
    time.sleep(1)
print(json.dumps(placed))
"""


def placements(env_name: str, ray_nodes: NodesFor) -> list[str]:
    """Where the two actors went, on a head and worker with `env_name=0.0`."""
    nodes = ray_nodes(VERSION, {env_name: "0.0"})
    sizes = [f"--{k}={v}" for k, v in (LOCAL_SIZES | {"num-cpus": CPUS}).items()]
    common = ["start", "--block", "--node-ip-address=127.0.0.1", *sizes]
    worker_ports = [f"--{name}={port}" for name, port in WORKER_PORTS.items()]
    nodes.start([*common, "--head", f"--port={GCS_PORT}", f"--temp-dir={nodes.tmp / 'ray'}"])
    nodes.wait_for_port(GCS_PORT)
    nodes.start([*common, f"--address=127.0.0.1:{GCS_PORT}", *worker_ports])
    driver = nodes.python(PLACE, f"127.0.0.1:{GCS_PORT}")
    nodes.check_alive()
    assert driver.returncode == 0, driver.stderr[-3000:]
    return list(json.loads(driver.stdout.strip().splitlines()[-1]))


def test_ray_ignores_the_upper_case_name_the_chart_sets(ray_nodes: NodesFor) -> None:
    assert "RAY_SCHEDULER_SPREAD_THRESHOLD" in RAY_READS
    assert placements("RAY_SCHEDULER_SPREAD_THRESHOLD", ray_nodes) == ["head", "head"]


def test_ray_reads_the_name_in_its_own_case(ray_nodes: NodesFor) -> None:
    name = RAY_READS["RAY_SCHEDULER_SPREAD_THRESHOLD"]
    assert placements(name, ray_nodes) == ["head", "worker"]
