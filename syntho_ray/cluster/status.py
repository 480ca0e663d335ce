"""`syntho-ray status`: the operator, the RayCluster, its pods per group, claims, head service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.build.naming import Release, cluster_name, head_service_name, operator_name
from syntho_ray.cluster.connect import ApiError, Session
from syntho_ray.cluster.explain import crd_missing, is_missing_type
from syntho_ray.cluster.preflight import raycluster_versions
from syntho_ray.cluster.refs import Ref
from syntho_ray.cluster.wait import (
    RAY_CLUSTER_LABEL,
    deployment_readiness,
    pod_state,
    raycluster_readiness,
)
from syntho_ray.facts.charts import DATA_CLAIM, WORKFLOWS_CLAIM
from syntho_ray.facts.kinds import KINDS, raycluster_kind
from syntho_ray.notes import ray_address
from syntho_ray.resolve import Resolved

GROUP_LABEL = "ray.io/group"
NODE_TYPE_LABEL = "ray.io/node-type"


@dataclass(frozen=True)
class Status:
    """The release as the cluster has it: lines to show, and whether it is installed at all."""

    lines: list[str]
    installed: bool  # its operator Deployment or its RayCluster exists


def release_status(session: Session, values: Resolved, release: Release) -> Status:
    """The release as the cluster has it."""
    namespace = release.namespace
    operator = Ref("Deployment", namespace, operator_name(values, release))
    version = values.kuberay
    kind = raycluster_kind(version)
    cluster = Ref(kind.kind, namespace, cluster_name(values, release), kind.api_version)
    operator_obj = session.get(operator.path())
    lines = [f"operator:   {deployment_readiness(operator, operator_obj).line()}"]
    line, served, cluster_obj = _raycluster(session, cluster, version)
    lines.append(f"raycluster: {line}")
    if served:
        pods = _list(session, "Pod", namespace, f"{RAY_CLUSTER_LABEL}={cluster.name}")
        lines += pod_lines(cluster_obj, pods)
    lines += [
        f"claim:      {claim_line(session, namespace, c)}" for c in (WORKFLOWS_CLAIM, DATA_CLAIM)
    ]
    lines.append(
        f"head svc:   {head_service_line(session.get(_head_service(values, release).path()))}"
    )
    lines.append(f"ray_address: {ray_address(values, release)}")
    return Status(lines, installed=operator_obj is not None or cluster_obj is not None)


def _raycluster(
    session: Session, ref: Ref, kuberay_version: str
) -> tuple[str, bool, dict[str, Any] | None]:
    """Its status line, whether the CRD serves its version, and the object."""
    try:
        obj = session.get(ref.path())
    except ApiError as error:
        if not is_missing_type(error):
            raise
        return crd_missing(kuberay_version, raycluster_versions(session, ref.api)), False, None
    return raycluster_readiness(ref, obj).line(), True, obj


def _list(session: Session, kind: str, namespace: str, label: str) -> list[dict[str, Any]]:
    listing = session.request("GET", KINDS[kind].path(namespace), query={"labelSelector": label})
    return list(listing.get("items") or [])


def pod_lines(cluster: dict[str, Any] | None, pods: list[dict[str, Any]]) -> list[str]:
    """Per group (head first): pods running out of wanted, then one line per pod."""
    groups: dict[str, list[dict[str, Any]]] = {"head": []}
    spec = (cluster or {}).get("spec") or {}
    wanted = {"head": 1} | {
        str(g.get("groupName")): int(g.get("replicas") or 0)
        for g in spec.get("workerGroupSpecs") or []
    }
    for name in wanted:
        groups.setdefault(name, [])
    for pod in pods:
        groups.setdefault(_group(pod), []).append(pod)
    lines = []
    for name, members in groups.items():
        running = sum(1 for p in members if (p.get("status") or {}).get("phase") == "Running")
        lines.append(f"  group {name}: {running}/{wanted.get(name, len(members))} running")
        lines += [f"    pod {p['metadata']['name']}: {pod_state(p)}" for p in members]
    return lines


def _group(pod: dict[str, Any]) -> str:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    if labels.get(NODE_TYPE_LABEL) == "head":
        return "head"
    return str(labels.get(GROUP_LABEL) or "unknown")


def claim_line(session: Session, namespace: str, name: str) -> str:
    """`ray-data-claim: Bound (volume pv-1, 100Gi)` or why it is not bound."""
    claim = session.get(KINDS["PersistentVolumeClaim"].path(namespace, name))
    if claim is None:
        return f"{name}: does not exist"
    status = claim.get("status") or {}
    phase = str(status.get("phase") or "Pending")
    volume = (claim.get("spec") or {}).get("volumeName")
    size = (status.get("capacity") or {}).get("storage")
    extra = ", ".join(str(x) for x in (f"volume {volume}" if volume else None, size) if x)
    return f"{name}: {phase}" + (f" ({extra})" if extra else "")


def _head_service(values: Resolved, release: Release) -> Ref:
    return Ref("Service", release.namespace, head_service_name(values, release))


def head_service_line(service: dict[str, Any] | None) -> str:
    """`ray-cluster-head-svc: ClusterIP 10.0.0.7, ports client:10001, ...`."""
    if service is None:
        return "the head service does not exist yet (KubeRay creates it with the head)"
    spec = service.get("spec") or {}
    ports = ", ".join(
        f"{p.get('name', '')}:{p.get('port')}".lstrip(":") for p in spec.get("ports") or []
    )
    ip = spec.get("clusterIP") or "no cluster IP"
    return f"{service['metadata']['name']}: {spec.get('type', 'ClusterIP')} {ip}, ports {ports}"
