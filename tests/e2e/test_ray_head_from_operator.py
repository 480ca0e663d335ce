"""A real Ray head and worker started from the Pods the real KubeRay operator creates (issue 15).

Case 02 (chart 1.13's guide values; chart 1.14's deploy-CLI values) with head.rayVersion set is
applied to the real control plane; the operator of the release (KubeRay 0.5.0 for chart 1.13,
1.2.2 for chart 1.14, tests/e2e/README.md) creates the head and worker Pods. From those Pods'
Ray containers come the command, the args and the env; only what must be local changes: the
node address (127.0.0.1), the ports of the worker's agents (both nodes share one loopback),
the resource sizes, the paths (the `ray` program of the venv, the temp and storage folders) and
the GCS address the worker joins. The head starts in a loopback-only network namespace
(tests/support/ray_nodes.py), the worker joins, a Ray client at the client port (10001, the port of
`ray_address`) runs a task on each node, and every process is ended by its own id.

The same Pods check tests/support/kuberay_start.py, the transcription of KubeRay's pod builder that
tests/test_ray_head.py uses where these components are not built.
"""

from __future__ import annotations

import re
import shlex
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import CHARTS, Chart, Release, new_release
from controlplane import ControlPlane
from support.kuberay_start import head_command, worker_command
from support.ray_nodes import CLIENT_PORT, NodesFor, client_runs_a_task, localized

from syntho_ray.facts import ray as ray_facts

pytestmark = pytest.mark.ray
NEWEST = ray_facts.newest().version
CASES = {"1.13": "cases/02-production.yaml", "1.14": "cases/02-deploy-cli.yaml"}
RUNS = [("1.13", NEWEST), ("1.13", "2.9.3"), ("1.14", NEWEST)]  # 2.9.3 still has `--storage`
REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$")


def version_key(chart: Chart) -> str:
    return "ray-cluster.head.rayVersion" if chart.name == "1.14" else "head.rayVersion"


def ray_pods(release: Release) -> dict[str, dict[str, Any]]:
    """The head Pod and one worker Pod the operator created, by node type."""
    listing = release.api.request("GET", f"/api/v1/namespaces/{release.namespace}/pods")
    found: dict[str, dict[str, Any]] = {}
    for pod in listing["items"]:
        kind = pod["metadata"].get("labels", {}).get("ray.io/node-type")
        if kind in ("head", "worker") and "deletionTimestamp" not in pod["metadata"]:
            found.setdefault(kind, pod)
    return found


def applied_with_operator(release: Release, version: str) -> dict[str, dict[str, Any]]:
    """Case 02 applied with head.rayVersion; the operator's head and worker Pods."""
    case = release.chart.reference / CASES[release.chart.name]
    rayversion = f"{version_key(release.chart)}={version}"
    out = release.cli("apply", "-f", str(case), "-f", str(release.values), "--set", rayversion)
    assert out.returncode == 0, out.stderr
    operator = release.start_operator()
    deadline = time.monotonic() + 120
    while len(pods := ray_pods(release)) < 2:
        assert time.monotonic() < deadline, f"no head and worker Pod: {operator.problems()}"
        time.sleep(0.5)
    assert release.operator_problems() == []
    return pods


def live_cluster(release: Release) -> dict[str, Any]:
    path = f"{release.chart.rayclusters}/{release.namespace}/rayclusters"
    items: list[dict[str, Any]] = release.api.request("GET", path)["items"]
    assert len(items) == 1
    return items[0]


def ray_container(pod: dict[str, Any]) -> dict[str, Any]:
    """KubeRay's Ray container: the first of the Pod's containers."""
    return dict(pod["spec"]["containers"][0])


def resolved_env(pod: dict[str, Any]) -> dict[str, str]:
    """The Ray container's env as the kubelet gives it: values with $(VAR) expanded, fieldRefs
    from the Pod. A secretKeyRef (the Syntho license, for Syntho's code, not Ray's) stays out:
    no secret goes where a failing test prints its variables."""
    env: dict[str, str] = {}
    for item in ray_container(pod).get("env") or []:
        source = item.get("valueFrom") or {}
        if "value" in item or not source:
            env[item["name"]] = expand(str(item.get("value", "")), env)
        elif "fieldRef" in source:
            env[item["name"]] = field_of(pod, source["fieldRef"]["fieldPath"])
        elif "secretKeyRef" in source:
            continue
        else:
            raise AssertionError(f"env {item['name']}: no local value for {sorted(source)}")
    return env


def field_of(pod: dict[str, Any], path: str) -> str:
    """A fieldRef's value; the Pod's IP is the local node address."""
    meta = pod["metadata"]
    if path == "status.podIP":
        return "127.0.0.1"
    if match := re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path):
        return str(meta.get(match[1], {}).get(match[2], ""))
    fields = {"metadata.name": meta["name"], "metadata.namespace": meta["namespace"]}
    fields |= {"metadata.uid": meta["uid"], "spec.nodeName": pod["spec"].get("nodeName", "")}
    assert path in fields, f"fieldRef {path}: no local value"
    return str(fields[path])


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion (an unknown one stays as written, $$ is a $)."""

    def one(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        return env.get(match[1], match[0])

    return REFERENCE.sub(one, text)


def start_line(container: dict[str, Any], env: dict[str, str]) -> tuple[list[str], list[str]]:
    """The container's shell command split around its `ray start`: (the words before the
    script, the script's commands), after $(VAR) expansion."""
    words = [expand(w, env) for w in [*container["command"], *container.get("args", [])]]
    shell, script = words[:-1], words[-1]
    assert shell[0] in ("/bin/bash", "bash", "/bin/sh", "sh"), shell
    assert re.fullmatch(r"-[a-z]*c[a-z]*", shell[1]), shell
    commands = [c.strip() for c in re.split(r";|&&", script) if c.strip()]
    assert sum(c.startswith("ray start") for c in commands) == 1, script
    return shell, commands


def ray_start_args(commands: list[str]) -> list[str]:
    """The arguments of the script's `ray start` (after `ray`)."""
    line = next(c for c in commands if c.startswith("ray start"))
    return shlex.split(line)[1:]


def local_script(commands: list[str], args: list[str], bin_dir: Path) -> str:
    """The script with `ray start`'s arguments made local and the venv's `ray`."""
    ray = shlex.join([str(bin_dir / "ray"), *args])
    return "; ".join(ray if c.startswith("ray start") else c for c in commands)


@pytest.mark.parametrize(("generation", "version"), RUNS, ids=[f"{c}-ray{v}" for c, v in RUNS])
def test_the_operators_pods_start_a_head_whose_client_port_runs_a_task(
    control_plane: ControlPlane,
    generation: str,
    version: str,
    tmp_path: Path,
    ray_nodes: NodesFor,
) -> None:
    chart = CHARTS[generation]
    has_storage = ray_facts.has_option(version, "storage")
    nodes = ray_nodes(version, {})  # none started yet; it skips where this Ray does not install
    control_plane.use_crds(chart.operator)
    release = new_release(control_plane, chart, tmp_path)
    try:
        pods = applied_with_operator(release, version)
        cluster = live_cluster(release)
        envs = {kind: resolved_env(pod) for kind, pod in pods.items()}
    finally:
        release.stop_operators()
        control_plane.delete_namespace(release.namespace)
    lines = {kind: start_line(ray_container(pod), envs[kind]) for kind, pod in pods.items()}
    args = {kind: ray_start_args(commands) for kind, (_, commands) in lines.items()}
    # The transcription (support/kuberay_start.py) builds the same `ray start` as the operator.
    assert sorted(args["head"]) == sorted(head_command(cluster, chart.operator))
    assert sorted(args["worker"]) == sorted(worker_command(cluster, 0, chart.operator))
    if generation == "1.13":  # chart 1.14 has no `storage` parameter
        assert ("--storage=/tmp/ray-workflows" in args["head"]) == has_storage
        assert ("--storage=/tmp/ray-workflows" in args["worker"]) == has_storage
    for kind in ("head", "worker"):
        shell, commands = lines[kind]
        script = local_script(commands, localized(args[kind], version, nodes.tmp), nodes.bin_dir)
        nodes.start_program([*shell, script], envs[kind] | nodes.env)
        if kind == "head":
            nodes.wait_for_port(CLIENT_PORT)  # the head's last process: it has started
    client_runs_a_task(nodes)
