"""Real Ray nodes for the tests: `ray start` processes in a loopback-only network namespace.

Used by the tests that start a Ray head and worker (tests/test_ray_head.py,
tests/test_ray_env_names.py, tests/e2e/test_ray_head_from_operator.py) through the `ray_nodes`
fixture (tests/conftest.py, `nodes_for` here). Every process is ended by its own id: the ones
started here, their descendants, and whatever else runs in the namespace this module made (all
of it started here).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from support.ray_venv import ray_bin
from syntho_ray.facts import ray as ray_facts

STARTUP_SECONDS = 120
CLIENT_SECONDS = 300
STOP_GRACE_SECONDS = 2
GCS_PORT = 6379  # the cluster's ports: the nodes run in a network namespace of their own
CLIENT_PORT = 10001
# The worker's own agents and exporters, off the head's ports (both share one loopback here).
WORKER_PORTS = {
    "metrics-export-port": 8081,
    "dashboard-agent-listen-port": 52366,
    "dashboard-agent-grpc-port": 52367,
    "runtime-env-agent-port": 52368,
}
# Sizes made local: each node gets one CPU, 1 GB of memory and 200 MB of object store.
LOCAL_SIZES = {"num-cpus": "1", "memory": str(10**9), "object-store-memory": str(2 * 10**8)}

_NAMESPACES = itertools.count()  # the number in each namespace's name
PROBE = "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2)"
# A Ray client at the head's client port runs one task on each of the two nodes.
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


def localized(command: list[str], version: str, tmp: Path) -> list[str]:
    """`ray start`'s arguments with the node address, paths and resource sizes made local, and
    the worker's node ports moved off the head's (both share one loopback here)."""
    head = "--head" in command
    local = {"node-ip-address": "127.0.0.1", **LOCAL_SIZES}
    local["storage"] = str(tmp / "ray-workflows")
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
    """Every process in the network namespace `netns` (made here: all of them started here)."""
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


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-25:])


class Nodes:
    """The `ray start` processes of one test, each in its own process group, all in one
    network namespace that has only a loopback interface; `tmp` is a short directory for their
    temp and storage folders and their logs."""

    def __init__(self, netns: str, bin_dir: Path, env: dict[str, str], tmp: Path) -> None:
        self.netns, self.bin_dir, self.env, self.tmp = netns, bin_dir, env, tmp
        self.procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def inside(self, program: str, *args: str) -> list[str]:
        """A command line that runs a program of the venv inside the namespace."""
        return ["ip", "netns", "exec", self.netns, str(self.bin_dir / program), *args]

    def start(self, args: list[str], env: dict[str, str] | None = None) -> None:
        """`ray ARGS...` of the venv with the nodes' env, or `env` (a node's own)."""
        self.start_program([str(self.bin_dir / "ray"), *args], env)

    def start_program(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        """`argv` inside the namespace, in a process group of its own."""
        log = self.tmp / f"node-{len(self.procs)}.log"
        log.write_text(f"# {json.dumps(argv)}\n")
        with log.open("ab") as out:
            proc = subprocess.Popen(
                ["ip", "netns", "exec", self.netns, *argv],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env if env is None else env,
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

    def python(self, script: str, *args: str) -> subprocess.CompletedProcess[str]:
        """The venv's python running `script` inside the namespace, time-bounded."""
        return subprocess.run(
            self.inside("python", "-c", script, *args),
            capture_output=True,
            text=True,
            env=self.env,
            timeout=CLIENT_SECONDS,
            check=False,
        )

    def stop(self) -> None:
        """SIGTERM to each process started here and to each of its descendants, then SIGKILL
        to those left after a short grace (Ray's daemons may take 15 s or more to end on SIGTERM,
        and nothing of theirs outlives the test's temp directory)."""
        pids = [p for proc, _ in self.procs for p in (proc.pid, *descendants(proc.pid))]
        pids += [p for p in in_namespace(self.netns) if p not in pids]  # reparented ones too
        for sig, grace in ((signal.SIGTERM, STOP_GRACE_SECONDS), (signal.SIGKILL, 15)):
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and any(alive(p) for p in pids):
                for proc, _ in self.procs:
                    proc.poll()
                time.sleep(0.2)
        for proc, _ in self.procs:
            proc.wait(timeout=5)
        assert not [p for p in pids if alive(p)]


def base_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """What every Ray process here gets besides a container's env."""
    return {
        "PATH": f"{bin_dir}:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(home),
        "LC_ALL": "C.UTF-8",
        "RAY_USAGE_STATS_ENABLED": "0",
    }


def client_runs_a_task(nodes: Nodes) -> None:
    """A Ray client at the client port runs a task on each of the two nodes."""
    client = nodes.python(CLIENT, f"ray://127.0.0.1:{CLIENT_PORT}", "240")
    nodes.check_alive()
    assert client.returncode == 0, client.stderr[-3000:]
    out: dict[str, Any] = json.loads(client.stdout.strip().splitlines()[-1])
    assert len(out["nodes"]) == 2
    assert sorted(r[0] for r in out["results"]) == [4, 9]
    assert sorted(r[1] for r in out["results"]) == out["nodes"]


@contextlib.contextmanager
def short_dir() -> Iterator[Path]:
    """A short directory: Ray's socket paths under it must stay within 107 characters."""
    with tempfile.TemporaryDirectory(prefix="sr-ray-", dir="/tmp") as path:
        yield Path(path)


@contextlib.contextmanager
def network_namespace() -> Iterator[str]:
    """A network namespace with only loopback: Ray binds and connects nowhere else."""
    name = f"syntho-ray-test-{os.getpid()}-{next(_NAMESPACES)}"
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


# What the `ray_nodes` fixture gives a test: `ray_nodes(version, env)` (see `nodes_for`).
NodesFor = Callable[[str, Mapping[str, str]], Nodes]


@contextlib.contextmanager
def nodes_for(version: str, env: Mapping[str, str]) -> Iterator[Nodes]:
    """Nodes of Ray `version` (its cached venv; the test skips where it does not install) in a
    new loopback-only network namespace under a short directory, with `env` and `base_env` as
    their env (`base_env` wins); every process they started is ended on the way out."""
    bin_dir = ray_bin(version)
    with short_dir() as tmp, network_namespace() as netns:
        nodes = Nodes(netns, bin_dir, {**env, **base_env(bin_dir, tmp)}, tmp)
        try:
            yield nodes
        finally:
            nodes.stop()
