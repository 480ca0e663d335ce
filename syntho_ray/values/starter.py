"""Starter values files: the deployment guide's development and production layouts, commented,
in chart 1.13's layout or chart 1.14's."""

from __future__ import annotations

import json
import textwrap

from syntho_ray.errors import UsageError
from syntho_ray.facts.charts import Chart
from syntho_ray.k8s.data import quantity_value

PROFILES = ("development", "production")
LICENSE_SECRET = "syntho-license"
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

# CHOOSE the image tags of the Syntho release you install, and pin them here;
# until then the chart's moving tags apply (operatorImage latest, image latest-cpu) and
# render warns about them.
# operatorImage:
#   tag: "..."
# image:
#   tag: "..."

# CHOOSE the KubeRay release your operator image runs (0.4.0 to 1.7.0): it decides the
# RayCluster apiVersion, the operator's flags and RBAC, and the CRDs under manifests/crds/.
# Until then the chart's KubeRay, 0.4.0, applies.
# kuberay:
#   version: "..."
"""
_SETTING = """
# {comment}
{key}: {value}
"""
_HEAD = """
# The Ray head: {where} (CHOOSE your machines' size: init --cpus
# and --memory); requests equal limits.
head:
  # CHOOSE the Ray release your image runs (`ray --version` in it): rayStartParams are
  # checked against it, and the chart's `storage` parameter is left out where that Ray has
  # no --storage. Until then they are checked against the newest Ray, as warnings only.
  # rayVersion: "..."
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
"""
_STORAGE = """
# CHOOSE the storage class of both shared claims: they need ReadWriteMany, which only some
# storage classes give (`kubectl get storageclass` lists your cluster's). Until then the
# chart's class name, "default", applies.
# storage:
#   storageClassName: "..."
"""

_HEADER_114 = """\
# syntho-ray values for chart 1.14 (chart `ray` 1.14.0: KubeRay 1.2.2), the deployment guide's
# {profile} layout: {layout}.
# Written by `syntho-ray init --chart 1.14`. Render it:
#   syntho-ray render -f THIS_FILE -o manifests/
# (its top-level ray-cluster: key makes every command read it as chart 1.14, without --chart)
# Every key and its default: `syntho-ray schema --chart 1.14`.

# The Ray pods read the Syntho license from this Secret (key license_key). Create it once:
#   kubectl -n <namespace> create secret generic {secret} --from-file=license_key=license.txt
#   (license.txt holds the key alone, without a trailing newline)
# (or remove manualSecretName and set SynthoLicense: "<key>" here).
manualSecretName: {secret}

# CHOOSE the storage class of both shared claims: they need ReadWriteMany, which only some
# storage classes give (`kubectl get storageclass` lists your cluster's). Until then the
# chart's class name, "default", applies.
# storage:
#   storageClassName: "..."

# CHOOSE the operator image tag of the Syntho release you install; until then the chart's
# (1.4.0) applies. Its flags and RBAC are KubeRay 1.2.2's, as the chart's.
# kuberay-operator:
#   image:
#     tag: "..."

ray-cluster:
  # CHOOSE the Ray image tag of the Syntho release you install, and pin it here; until then
  # the chart's moving tag (latest) applies and render warns about it.
  # image:
  #   tag: "..."
"""
_HEAD_114 = """
  # The Ray head: {where}
  # (CHOOSE your machines' size: init --cpus and --memory); requests equal limits.
  head:
    # CHOOSE the Ray release your image runs (`ray --version` in it): rayStartParams are
    # checked against it. Until then they are checked against the newest Ray, as warnings only.
    # rayVersion: "..."
    resources:
      limits: {resources}
      requests: {resources}
"""
_NO_WORKERS_114 = """
  # No worker pool: the head runs all of Ray's work (the chart's default: worker.disabled).
  worker:
    disabled: true
"""
# The same pool, under `ray-cluster:`.
_WORKERS_114 = textwrap.indent(_WORKERS, "  ")


def starter_values(
    profile: str,
    *,
    cpus: int = DEFAULT_CPUS,
    memory: str = DEFAULT_MEMORY,
    platform: str | None = None,
    registry: str | None = None,
    chart: Chart = "1.13",
) -> str:
    """A commented values file for `profile` (development or production), ready to render,
    in the layout of chart generation `chart`.

    `cpus` and `memory` size one machine: the head's, and in production each worker's too.
    """
    _check(profile, cpus, memory)
    production = profile == "production"
    resources = f'{{cpu: "{cpus}", memory: {json.dumps(memory)}}}'
    layout = "a Ray head and a worker pool" if production else "one Ray head and no workers"
    where = f"one machine of {cpus} CPUs and {memory} of memory"
    if chart == "1.14":
        for option, value in (("--platform", platform), ("--registry", registry)):
            if value:
                raise UsageError(f"{option}: chart 1.14 has no such setting (it is chart 1.13's)")
        text = _HEADER_114.format(profile=profile, layout=layout, secret=LICENSE_SECRET)
        text += _HEAD_114.format(where=where, resources=resources)
        return text + (_WORKERS_114.format(resources=resources) if production else _NO_WORKERS_114)
    text = _HEADER.format(profile=profile, layout=layout, secret=LICENSE_SECRET)
    if platform:
        comment = "Pods for OpenShift's restricted-v2 SCC; manifests/openshift/ for the admin."
        text += _SETTING.format(comment=comment, key="platform", value=json.dumps(platform))
    if registry:
        comment = "Every image is pulled from this mirror (`syntho-ray images` lists them)."
        text += _SETTING.format(comment=comment, key="registry", value=json.dumps(registry))
    text += _HEAD.format(where=where, resources=resources)
    text += _WORKERS.format(resources=resources) if production else _NO_WORKERS
    return text + _STORAGE


def _check(profile: str, cpus: int, memory: str) -> None:
    if profile not in PROFILES:
        raise UsageError(f"--profile {profile}: choose {' or '.join(PROFILES)}")
    if cpus < 1:
        raise UsageError(f"--cpus {cpus}: at least 1")
    if quantity_value(memory) is None:
        raise UsageError(f"--memory {memory}: not a Kubernetes quantity (for example 64G or 64Gi)")
