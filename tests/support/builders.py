"""Each builder's objects as documents, and the custom values its tests render.

`tests/test_builders.py` checks every builder's default and custom objects against its
snapshots (`snapshots/<concern>/`) and the API's schemas; each builder's own test module
reads the same values for its detailed tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from syntho_ray import Release, values_from_mapping
from syntho_ray.build import license, operator, raycluster, rbac, storage
from syntho_ray.render import resolved_values, to_document
from syntho_ray.resolve import Resolved

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
CUSTOM_RELEASE = Release(name="prod", namespace="team-a")
DISTINCTIVE = "SYNTHO-LIC-7f3a9c0e: signed #payload &anchor"  # a license no text holds by chance

Builder = Callable[[Resolved, Release], list[Any]]
BUILDERS: dict[str, Builder] = {
    "license": license.build,
    "rbac": rbac.build,
    "storage": storage.build,
    "operator": operator.build,
    "raycluster": raycluster.build,
}


Rule = tuple[str, str, str]  # API group, resource, verb


def rule_set(role: dict[str, Any]) -> set[Rule]:
    """Every (API group, resource, verb) a Role or ClusterRole document grants."""
    return {
        (group, resource, verb)
        for rule in role["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def built(
    build: Builder, data: dict[str, Any], release: Release | None = None
) -> list[dict[str, Any]]:
    """What `build` makes of the values `data`, as documents."""
    resolved = resolved_values(values_from_mapping(data))
    return [to_document(o) for o in build(resolved, release or Release())]


CUSTOM: dict[str, dict[str, Any]] = {
    "license": {"SynthoLicense": DISTINCTIVE},
    "rbac": {
        "fullnameOverride": "",
        "nameOverride": "ray-op",
        "serviceAccount": {"create": True, "name": "ray-operator-sa"},
        "batchScheduler": {"enabled": True},
    },
    "storage": {
        "storage": {
            "storageClassName": "",
            "pvLabelKey": "ray-workflows-pv",
            "dataPvLabelKey": "ray-data-pv",
            "dataStorage": "500Gi",
            "accessMode": "ReadWriteOnce",
        }
    },
    "operator": {
        "fullnameOverride": "",
        "nameOverride": "",
        "operatorImage": {
            "repository": "registry.example.com/kuberay-operator",
            "tag": "0.5.0",
            "pullPolicy": "Always",
        },
        "imagePullSecrets": [{"name": "mirror"}],
        "service": {"type": "NodePort", "port": 9090},
        "batchScheduler": {"enabled": True},
        "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "100m"}},
        "livenessProbe": {"initialDelaySeconds": 30, "periodSeconds": 10, "failureThreshold": 3},
        "readinessProbe": {"initialDelaySeconds": 1, "periodSeconds": 2, "failureThreshold": 9},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True},
        "podSecurityContext": {"runAsNonRoot": True, "runAsUser": 65532, "fsGroup": 65532},
        "nodeSelector": {"node-role.kubernetes.io/infra": ""},
        "tolerations": [
            {"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoSchedule"}
        ],
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
                    ]
                }
            }
        },
    },
    "raycluster": {
        "SynthoLicense": "example-license-key",
        "clustername": "syntho-ray",
        "annotations": {"team": "data"},
        "image": {"repository": "registry.example.com/syntho-ray", "tag": "2.9.3-cpu"},
        "service": {"type": "NodePort"},
        "head": {
            "rayVersion": "2.9.3",
            "enableInTreeAutoscaling": True,
            "autoscalerOptions": {"upscalingMode": "Conservative", "idleTimeoutSeconds": 120},
            "labels": {"role": "head"},
            "annotations": {"prometheus.io/scrape": "true"},
            "rayStartParams": {"num-cpus": 0, "object-store-memory": 100000000},
            "securityContext": {"runAsUser": 1000},
            "initContainer": {"securityContext": {"runAsUser": 0}},
            "lifecycle": {"preStop": {"exec": {"command": ["ray", "stop"]}}},
        },
        "worker": {
            "disabled": False,
            "replicas": 2,
            "minReplicas": 0,
            "maxReplicas": 4,
            "labels": {"role": "worker"},
            "volumes": [{"name": "scratch", "emptyDir": {}}],
            "volumeMounts": [{"name": "scratch", "mountPath": "/scratch"}],
            "nodeSelector": {"pool": "ray"},
            "tolerations": [{"key": "ray", "operator": "Exists", "effect": "NoSchedule"}],
        },
        "additionalWorkerGroups": {
            "smallGroup": {"disabled": False},
            "gpuGroup": {
                "disabled": False,
                "miniReplicas": 1,
                "maxiReplicas": 2,
                "envFrom": [{"secretRef": {"name": "gpu-env"}}],
                "rayStartParams": {"num-gpus": 1},
                "resources": {"limits": {"nvidia.com/gpu": 1}},
                "ports": [{"containerPort": 9000, "name": "metrics"}],
                "initContainerImage": "busybox:1.36",
            },
            "offGroup": {"disabled": True},
        },
    },
}
