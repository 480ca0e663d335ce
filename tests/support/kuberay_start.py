"""The `ray start` command lines KubeRay's operator gives the Ray containers of a RayCluster.

Facts from KubeRay's pod builder (ray-operator/controllers/ray/common/pod.go, releases 0.4.0
to 1.x), checked against the Pods of the real operator (0.5.0 and 1.2.2) by
tests/e2e/test_ray_head_from_operator.py: it starts from the group's rayStartParams, adds what
is missing (the worker's `address`: the head Service's full DNS name and the GCS port;
`metrics-export-port`; from 0.5.0 always `block`; from 0.6.0 the head's
`dashboard-host=0.0.0.0` and `dashboard-agent-listen-port`, before that only with the
`ray.io/enableAgentService` annotation), then `num-cpus`, `memory` and `num-gpus` from the
Ray container's limits, and writes each entry as `--key=value`, or `--key` for the value
`true` (from 0.5.0 a `false` one is left out), except `log-color` and `include-dashboard`.
Go walks the map in random order; these lists are sorted.
"""

from __future__ import annotations

import math
from typing import Any

from syntho_ray.facts.ray import version_key
from syntho_ray.k8s.data import quantity_value

GCS_PORT = "6379"
METRICS_PORT = "8080"
AGENT_PORT = "52365"
TAKES_TRUE_FALSE = ("log-color", "include-dashboard")


def head_command(cluster: dict[str, Any], kuberay: str) -> list[str]:
    """`ray start --head ...` of the head Pod."""
    spec = cluster["spec"]["headGroupSpec"]
    params = _completed(dict(spec.get("rayStartParams") or {}), cluster, kuberay, head=True)
    return ["start", "--head", *_flags(params, spec["template"], kuberay)]


def worker_command(cluster: dict[str, Any], group: int, kuberay: str) -> list[str]:
    """`ray start ...` of a Pod of worker group number `group`."""
    spec = cluster["spec"]["workerGroupSpecs"][group]
    params = _completed(dict(spec.get("rayStartParams") or {}), cluster, kuberay, head=False)
    return ["start", *_flags(params, spec["template"], kuberay)]


def _completed(
    params: dict[str, str], cluster: dict[str, Any], kuberay: str, *, head: bool
) -> dict[str, str]:
    release = version_key(kuberay) or (0, 0, 0)
    head_params = cluster["spec"]["headGroupSpec"].get("rayStartParams") or {}
    if not head:
        service = f"{head_service(cluster, release)}.{cluster['metadata']['namespace']}"
        port = head_params.get("port", GCS_PORT)
        params.setdefault("address", f"{service}.svc.cluster.local:{port}")
    params.setdefault("metrics-export-port", METRICS_PORT)
    if release >= (0, 5, 0):
        params["block"] = "true"
    annotations = cluster["metadata"].get("annotations") or {}
    if release >= (0, 6, 0) or annotations.get("ray.io/enableAgentService") == "true":
        params.setdefault("dashboard-agent-listen-port", AGENT_PORT)
    if head and release >= (0, 6, 0):
        params.setdefault("dashboard-host", "0.0.0.0")
    return params


def head_service(cluster: dict[str, Any], release: tuple[int, ...]) -> str:
    """The head Service's name: `<cluster>-head-svc`, or from 1.0 the one headService gives."""
    named = (cluster["spec"]["headGroupSpec"].get("headService") or {}).get("metadata") or {}
    if release >= (1, 0, 0) and named.get("name"):
        return str(named["name"])
    return f"{cluster['metadata']['name']}-head-svc"


def _flags(params: dict[str, str], template: dict[str, Any], kuberay: str) -> list[str]:
    limits = (template["spec"]["containers"][0].get("resources") or {}).get("limits") or {}
    sizes = {"num-cpus": limits.get("cpu"), "memory": limits.get("memory")}
    sizes["num-gpus"] = next((v for k, v in sorted(limits.items()) if k.endswith("gpu")), None)
    for key, quantity in sizes.items():
        number = quantity_value(quantity) if quantity is not None else None
        if key not in params and number:
            params[key] = str(math.ceil(number))
    drop_false = (version_key(kuberay) or (0, 0, 0)) >= (0, 5, 0)
    out = []
    for key, value in sorted(params.items()):
        word = value.lower()
        if word in ("true", "false") and key not in TAKES_TRUE_FALSE:
            if word == "true":
                out.append(f"--{key}")
            elif not drop_false:
                out.append(f"--{key}={value}")
        else:
            out.append(f"--{key}={value}")
    return out
