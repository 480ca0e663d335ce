"""Comparing our render with the reference chart's, under ../shared/README.md's normalisation."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import yaml

# Lists whose order does not matter, by key.
UNORDERED = {
    "volumes",
    "volumeMounts",
    "ports",
    "tolerations",
    "imagePullSecrets",
    "workerGroupSpecs",
}
HELM_LABELS = {"helm.sh/chart", "app.kubernetes.io/managed-by"}


def load_stream(text: str) -> list[dict[str, Any]]:
    """The objects of a YAML stream (empty documents dropped)."""
    return [d for d in yaml.safe_load_all(text) if d]


def normalise(data: Any, key: str = "") -> Any:
    """Null, {} and [] are absent; unordered lists sorted; Helm's labels dropped; rules as a set."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if k == "labels" and isinstance(v, dict):
                v = {lk: lv for lk, lv in v.items() if lk not in HELM_LABELS}
            if k == "rules" and isinstance(v, list):
                v = sorted(
                    {
                        (g, r, verb)
                        for rule in v
                        for g in rule.get("apiGroups", [])
                        for r in rule.get("resources", [])
                        for verb in rule.get("verbs", [])
                    }
                )
                out[k] = v
                continue
            v = normalise(v, k)
            if v not in (None, {}, []):
                out[k] = v
        return out
    if isinstance(data, list):
        items = [normalise(v) for v in data]
        return (
            sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
            if key in UNORDERED
            else items
        )
    return data


def by_identity(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Objects keyed by `Kind/name`, normalised."""
    return {f"{o['kind']}/{o['metadata']['name']}": normalise(o) for o in objects}


def corrected_reference(
    reference: list[dict[str, Any]], values: dict[str, Any], namespace: str
) -> list[dict[str, Any]]:
    """The reference with the corrections of KNOWN-DEFECTS.md applied (and nothing else).

    `values` are the effective values (plain data) of the case.
    """
    objects = copy.deepcopy(reference)
    secret = values.get("manualSecretName") or "ray-secret"
    for obj in objects:
        obj.setdefault("metadata", {})["namespace"] = namespace  # defect 8
        if obj["kind"] == "Deployment":
            container = obj["spec"]["template"]["spec"]["containers"][0]
            container["command"] = _operator_command(container["command"], container["args"])
            container.pop("args")  # defect 4
        if obj["kind"] == "RayCluster":
            for template in _pod_templates(obj):
                for container in template["spec"]["containers"]:
                    for env in container.get("env") or []:
                        if env["name"] == "LICENSE_KEY_SIGNED":  # defect 5
                            env.pop("value")
                            env["valueFrom"] = {
                                "secretKeyRef": {"name": secret, "key": "license_key"}
                            }
    if not values.get("manualSecretName"):
        license_key = base64.b64encode(values["SynthoLicense"].encode()).decode()
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {
                    "name": "ray-secret",
                    "namespace": namespace,
                    "labels": _operator_labels(reference),
                },
                "data": {"license_key": license_key},
            }
        )
    return objects


def _operator_command(command: list[str], args: list[str] | None) -> list[str]:
    """`/manager -watch-namespace ns -forced-cluster-upgrade true` as Go should read it."""
    fixed = [command[0]]
    rest = command[1:]
    for name, value in zip(rest[::2], rest[1::2], strict=True):
        fixed.append(f"-{name}={value}")
    fixed += [f"{a}=true" for a in args or []]
    return fixed


def _operator_labels(reference: list[dict[str, Any]]) -> dict[str, str]:
    deployment = next(o for o in reference if o["kind"] == "Deployment")
    return dict(deployment["metadata"]["labels"])


def _pod_templates(raycluster: dict[str, Any]) -> list[dict[str, Any]]:
    spec = raycluster["spec"]
    return [
        spec["headGroupSpec"]["template"],
        *(g["template"] for g in spec.get("workerGroupSpecs") or []),
    ]


def read(path: Path) -> list[dict[str, Any]]:
    """Objects of a rendered reference file."""
    return load_stream(path.read_text(encoding="utf-8"))


CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding"}


def corrected_reference_114(
    reference: list[dict[str, Any]], license_key: str, namespace: str
) -> list[dict[str, Any]]:
    """Chart 1.14's reference with the corrections of chart-1.14/KNOWN-DEFECTS.md applied.

    Every namespaced object gets its namespace (1); the license Secret holds the license as
    given, as the API server stores it (`data`, base64), not as unquoted YAML (2). Nulls (4)
    are absent under `normalise`; where the chart fails (3), `reference-input/` was rendered.
    """
    objects = copy.deepcopy(reference)
    for obj in objects:
        if obj["kind"] not in CLUSTER_SCOPED:
            obj.setdefault("metadata", {})["namespace"] = namespace
        if obj["kind"] == "Secret":
            obj.pop("stringData", None)
            obj["data"] = {"license_key": base64.b64encode(license_key.encode()).decode()}
    return objects
