"""A real Ray head and worker, started as KubeRay starts case 02's Pods, run a task.

Ray (`ray[client]`) comes from the package index into a cached venv (tests/ray_venv.py). The
command lines are the ones KubeRay's operator builds from the rendered RayCluster
(tests/kuberay_start.py); only ports, the node address, paths and resource sizes are made
local. A Ray client at the head's client port (10001 in the cluster, the port of
`ray_address`) runs a task on each node. Every process started here is ended by its id.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kuberay_start import head_command, worker_command
from ray_venv import ray_venv

from syntho_ray import Release, ValuesInput, load_values, render_documents
from syntho_ray.facts import kuberay
from syntho_ray.facts import ray as ray_facts

pytestmark = pytest.mark.ray
CASE = Path(__file__).resolve().parent.parent.parent / "shared/reference/cases/02-production.yaml"
STARTUP_SECONDS = 120
GCS_PORT = 6379  # the cluster's ports: the test runs in a network namespace of its own
CLIENT_PORT = 10001
# The worker's own agents and exporters, off the head's ports (where the release has them).
WORKER_PORTS = {
    "metrics-export-port": 8081,
    "dashboard-agent-listen-port": 52366,
    "dashboard-agent-grpc-port": 52367,
    "runtime-env-agent-port": 52368,
}
CLIENT_SECONDS = 300
VERSIONS = [ray_facts.newest().version, "2.9.3"]  # 2.9.3 still has `--storage`

PROBE = "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2)"
CLIENT = """
import json, sys, time
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

deadline = time.monotonic() + float(sys.argv[2])
while True:
    try:
        ray.init(sys.argv[1])
        break
    except Exception:
        if time.monotonic() > deadline:
            raise
        time.sleep(2)
while sum(n["Alive"] for n in ray.nodes()) < 2 and time.monotonic() < deadline:
    time.sleep(1)
nodes = sorted(n["NodeID"] for n in ray.nodes() if n["Alive"])

@ray.remote(num_cpus=1)
def square(x):
    return x * x, ray.get_runtime_context().get_node_id()

on = lambda node: NodeAffinitySchedulingStrategy(node, soft=False)
refs = [square.options(scheduling_strategy=on(n)).remote(i + 2) for i, n in enumerate(nodes)]
results = ray.get(refs, timeout=max(10.0, deadline - time.monotonic()))
print(json.dumps({"nodes": nodes, "results": results}))
ray.shutdown()
"""


def rendered_cluster(version: str) -> tuple[dict[str, Any], str]:
    """Case 02's RayCluster with head.rayVersion set, and the KubeRay release it is for."""
    values = load_values(ValuesInput(files=[str(CASE)], set_values=[f"head.rayVersion={version}"]))
    docs = render_documents(values, Release())
    cluster = next(d for d in docs if d["kind"] == "RayCluster")
    return cluster, kuberay.version_of(values)


def localized(command: list[str], version: str, tmp: Path) -> list[str]:
    """The command with the node address, paths and resource sizes made local, and the worker's
    node ports moved off the head's (both share one loopback here)."""
    head = "--head" in command
    local = {
        "node-ip-address": "127.0.0.1",
        "num-cpus": "1",
        "memory": str(10**9),
        "object-store-memory": str(2 * 10**8),
        "storage": str(tmp / "ray-workflows"),
    }
    if head:
        local["temp-dir"] = str(tmp / "ray")  # workers take the head's
    else:
        local["address"] = f"127.0.0.1:{GCS_PORT}"
        ports = WORKER_PORTS.items()
        local |= {name: str(p) for name, p in ports if ray_facts.has_option(version, name)}
    out = []
    for word in command:
        key = word[2:].split("=", 1)[0]
        out.append(f"--{key}={local.pop(key)}" if "=" in word and key in local else word)
    local.pop("storage", None)  # never added where the render has none
    return out + [f"--{key}={value}" for key, value in local.items()]


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children first seen from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def in_namespace(netns: str) -> list[int]:
    """Every process in the network namespace this test made (all of them started here)."""
    try:
        wanted = os.stat(f"/run/netns/{netns}").st_ino
    except OSError:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and os.stat(entry / "ns" / "net").st_ino == wanted:
                found.append(int(entry.name))
    return found


class Nodes:
    """The `ray start` processes of this test, each in its own process group, all in one
    network namespace that has only a loopback interface."""

    def __init__(self, netns: str, bin_dir: Path, env: dict[str, str], logs: Path) -> None:
        self.netns, self.bin_dir, self.env, self.logs = netns, bin_dir, env, logs
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def inside(self, program: str, *args: str) -> list[str]:
        """A command line that runs a program of the venv inside the namespace."""
        return ["ip", "netns", "exec", self.netns, str(self.bin_dir / program), *args]

    def start(self, args: list[str]) -> None:
        log = self.logs / f"node-{len(self.procs)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                self.inside("ray", *args),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        self.procs.append((proc, log))

    def check_alive(self) -> None:
        for proc, log in self.procs:
            if proc.poll() is not None:
                args = " ".join(map(str, proc.args))
                pytest.fail(f"`{args}` exited ({proc.returncode}): {tail(log)}")

    def wait_for_port(self, port: int) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        probe = self.inside("python", "-c", PROBE, str(port))
        while time.monotonic() < deadline:
            self.check_alive()
            if subprocess.run(probe, env=self.env, capture_output=True, timeout=30).returncode == 0:
                return
            time.sleep(1)
        pytest.fail(f"nothing listens on 127.0.0.1:{port} after {STARTUP_SECONDS} s")

    def stop(self) -> None:
        """SIGTERM to each process started here and to each of its descendants, then SIGKILL."""
        pids = [p for proc, _ in self.procs for p in (proc.pid, *descendants(proc.pid))]
        pids += [p for p in in_namespace(self.netns) if p not in pids]  # reparented ones too
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and any(_alive(p) for p in pids):
                for proc, _ in self.procs:
                    proc.poll()
                time.sleep(0.2)
        for proc, _ in self.procs:
            proc.wait(timeout=5)
        assert not [p for p in pids if _alive(p)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-25:])


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A short directory: Ray's socket paths under it must stay within 107 characters."""
    with tempfile.TemporaryDirectory(prefix="sr-ray-", dir="/tmp") as path:
        yield Path(path)


@pytest.fixture
def netns() -> Iterator[str]:
    """A network namespace with only loopback: Ray binds and connects nowhere else."""
    name = f"syntho-ray-test-{os.getpid()}"
    if shutil.which("ip") is None:
        pytest.skip("needs `ip` (iproute2) for a network namespace")
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {made.stderr.strip()}")
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


@pytest.mark.parametrize("version", VERSIONS)
def test_case_02_head_runs_a_task_at_the_client_port(
    version: str, short_tmp: Path, netns: str
) -> None:
    cluster, kuberay_release = rendered_cluster(version)
    head = head_command(cluster, kuberay_release)
    worker = worker_command(cluster, 0, kuberay_release)
    has_storage = ray_facts.has_option(version, "storage")
    assert ("--storage=/tmp/ray-workflows" in head) == has_storage
    assert ("--storage=/tmp/ray-workflows" in worker) == has_storage
    assert "--block" in head and "--dashboard-host=0.0.0.0" in head
    # Cluster storage (`--storage`) needs pyarrow, which Ray's images carry: ray[data] has it.
    bin_dir = ray_venv(version, "client,data" if has_storage else "client")
    if isinstance(bin_dir, str):
        pytest.skip(bin_dir)
    container = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container.get("env") or [] if "value" in e}
    env |= {"PATH": f"{bin_dir}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(short_tmp)}
    env |= {"LC_ALL": "C.UTF-8", "RAY_USAGE_STATS_ENABLED": "0"}
    nodes = Nodes(netns, bin_dir, env, short_tmp)
    try:
        nodes.start(localized(head, version, short_tmp))
        nodes.wait_for_port(CLIENT_PORT)  # the head's last process: it has started
        nodes.start(localized(worker, version, short_tmp))
        client = subprocess.run(
            nodes.inside("python", "-c", CLIENT, f"ray://127.0.0.1:{CLIENT_PORT}", "240"),
            capture_output=True,
            text=True,
            env=env,
            timeout=CLIENT_SECONDS,
            check=False,
        )
        nodes.check_alive()
    finally:
        nodes.stop()
    assert client.returncode == 0, client.stderr[-3000:]
    out = json.loads(client.stdout.strip().splitlines()[-1])
    assert len(out["nodes"]) == 2
    assert sorted(r[0] for r in out["results"]) == [4, 9]
    assert sorted(r[1] for r in out["results"]) == out["nodes"]
