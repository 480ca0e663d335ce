"""Starter values files: the deployment guide's development and production layouts, commented."""

from __future__ import annotations

import json

from syntho_ray.errors import UsageError
from syntho_ray.k8s.data import quantity_value

PROFILES = ("development", "production")
LICENSE_SECRET = "syntho-license"
# The image tags of the guide's production example; the operator image runs this KubeRay.
GUIDE_OPERATOR_TAG = "1.0.0"
GUIDE_RAY_TAG = "2.5.0"
DEFAULT_CPUS = 16
DEFAULT_MEMORY = "64G"

_HEADER = """\
# syntho-ray values: the deployment guide's {profile} layout, {layout}.
# Written by `syntho-ray init`. Render it:  syntho-ray render -f THIS_FILE -o manifests/
# Every key and its default: the README's values reference; `syntho-ray schema` for editors.

# The Ray pods read the Syntho license from this Secret (key license_key). Create it once:
#   kubectl -n <namespace> create secret generic {secret} --from-file=license_key=license.txt
#   (license.txt holds the key alone, without a trailing newline)
# (or remove manualSecretName and set SynthoLicense: "<key>" here).
manualSecretName: {secret}

# The images of your Syntho release; pin them (the guide's example tags shown).
operatorImage:
  tag: {operator_tag}
image:
  tag: {ray_tag}

# The KubeRay release operatorImage runs: it decides the RayCluster apiVersion, the operator's
# flags and RBAC, and the CRDs under manifests/crds/. Keep it in step with operatorImage.tag.
kuberay:
  version: {operator_tag}
"""
_SETTING = """
# {comment}
{key}: {value}
"""
_HEAD = """
# The Ray head: {where}; requests equal limits.
head:
  resources:
    limits: {resources}
    requests: {resources}
"""
_NO_WORKERS = """
# No worker pool: the head runs all of Ray's work.
worker:
  disabled: true
"""
_WORKERS = """
# One worker pool. For more machines raise replicas and maxReplicas together.
worker:
  disabled: false
  groupName: workergroup
  replicas: 1
  minReplicas: 1
  maxReplicas: 1
  resources:
    limits: {resources}
    requests: {resources}

# Both shared claims need a ReadWriteMany storage class (the guide uses azurefile-csi on AKS).
# storage:
#   storageClassName: azurefile-csi
"""


def starter_values(
    profile: str,
    *,
    cpus: int = DEFAULT_CPUS,
    memory: str = DEFAULT_MEMORY,
    platform: str | None = None,
    registry: str | None = None,
) -> str:
    """A commented values file for `profile` (development or production), ready to render.

    `cpus` and `memory` size one machine: the head's, and in production each worker's too.
    """
    if profile not in PROFILES:
        raise UsageError(f"--profile {profile}: choose {' or '.join(PROFILES)}")
    if cpus < 1:
        raise UsageError(f"--cpus {cpus}: at least 1")
    if quantity_value(memory) is None:
        raise UsageError(f"--memory {memory}: not a Kubernetes quantity (for example 64G or 64Gi)")
    production = profile == "production"
    resources = f'{{cpu: "{cpus}", memory: {json.dumps(memory)}}}'
    text = _HEADER.format(
        profile=profile,
        layout="a Ray head and a worker pool" if production else "one Ray head and no workers",
        secret=LICENSE_SECRET,
        operator_tag=json.dumps(GUIDE_OPERATOR_TAG),
        ray_tag=json.dumps(GUIDE_RAY_TAG),
    )
    if platform:
        comment = "Pods for OpenShift's restricted-v2 SCC; manifests/openshift/ for the admin."
        text += _SETTING.format(comment=comment, key="platform", value=json.dumps(platform))
    if registry:
        comment = "Every image is pulled from this mirror (`syntho-ray images` lists them)."
        text += _SETTING.format(comment=comment, key="registry", value=json.dumps(registry))
    where = f"one machine of {cpus} CPUs and {memory} of memory"
    text += _HEAD.format(where=where, resources=resources)
    return text + (_WORKERS.format(resources=resources) if production else _NO_WORKERS)
