"""Chart 1.13's `platform` and `registry`: the values as OpenShift runs them, every image
pulled from the mirror. The builders read the values after these steps.

restricted-v2 runs every pod under a user ID from the namespace's range and gives it the
namespace's fsGroup. So syntho-ray sets no user or group ID, leaves out the head's init
container that ran `chmod 777` as root (the shared claims are writable through the fsGroup
OpenShift assigns), and writes the SCC's container settings explicitly.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from syntho_ray.facts import kuberay
from syntho_ray.k8s.data import from_data, to_data
from syntho_ray.values.model import Values, WorkerGroupValues
from syntho_ray.values.shared import AutoscalerOptions, ImageValues

DEFAULT_INIT_IMAGE = "busybox:1.28"
DOCKER_HUB = ("docker.io", "index.docker.io")
# What restricted-v2 asks of every container; a key the user sets wins.
RESTRICTED: dict[str, Any] = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
Move = Callable[[str], str]


def on_openshift(values: Values) -> bool:
    """True when rendering for OpenShift."""
    return values.platform == "openshift"


def restricted(context: Any) -> Any:
    """A container securityContext with restricted-v2's settings where `context` has none."""
    return from_data(RESTRICTED | (to_data(context) or {}), "V1SecurityContext")


def adapted(values: Values) -> Values:
    """The values as OpenShift runs them: no root init container, restricted containers."""
    if not on_openshift(values):
        return values
    head = values.head
    groups = values.additional_worker_groups
    return values.model_copy(
        update={
            "security_context": restricted(values.security_context),
            "head": head.model_copy(
                update={
                    "init_container_enabled": False,
                    "security_context": restricted(head.security_context),
                }
            ),
            "worker": _restricted_group(values.worker),
            "additional_worker_groups": None
            if groups is None
            else {name: _restricted_group(group) for name, group in groups.items()},
        }
    )


def _restricted_group(group: WorkerGroupValues | None) -> WorkerGroupValues | None:
    if group is None:
        return None
    return group.model_copy(
        update={
            "security_context": restricted(group.security_context),
            "init_container_security_context": restricted(group.init_container_security_context),
        }
    )


def mirrored(image: str, registry: str) -> str:
    """`image` pulled from `registry` (`HOST[/PREFIX]`): its host replaced, its path kept.

    Docker Hub's short names get their full path (`busybox:1.28` becomes
    `HOST/PREFIX/library/busybox:1.28`); an image already under `registry` stays as it is.
    """
    mirror = registry.rstrip("/")
    if image.startswith(f"{mirror}/"):
        return image
    host, _, rest = image.partition("/")
    has_host = bool(rest) and ("." in host or ":" in host or host == "localhost")
    path = rest if has_host else image
    if (not has_host or host in DOCKER_HUB) and "/" not in path:
        path = f"library/{path}"
    return f"{mirror}/{path}"


def relocated(values: Values) -> Values:
    """The values with every image the release uses pulled from `registry` (if set)."""
    if not values.registry:
        return values
    registry = values.registry

    def move(image: str) -> str:
        return mirrored(image, registry)

    head = values.head
    groups = values.additional_worker_groups
    return values.model_copy(
        update={
            "operator_image": _moved_image(values.operator_image, move),
            "image": _moved_image(values.image, move),
            "head": head.model_copy(
                update={
                    "init_container": head.init_container.model_copy(
                        update={"image": move(head.init_container.image or DEFAULT_INIT_IMAGE)}
                    ),
                    "sidecar_containers": _moved_containers(head.sidecar_containers, move),
                    "autoscaler_options": _moved_autoscaler(values, move),
                }
            ),
            "worker": _moved_group(values.worker, move),
            "additional_worker_groups": None
            if groups is None
            else {name: _moved_group(group, move) for name, group in groups.items()},
        }
    )


def _moved_image(image: ImageValues, move: Move) -> ImageValues:
    return image.model_copy(update={"repository": move(image.repository)})


def _moved_containers(containers: list[Any] | None, move: Move) -> list[Any] | None:
    if containers is None:
        return None
    moved = [copy.copy(c) for c in containers]
    for container in moved:
        container.image = move(container.image) if container.image else None
    return moved


def _moved_group(group: WorkerGroupValues | None, move: Move) -> WorkerGroupValues | None:
    if group is None:
        return None
    return group.model_copy(
        update={
            "init_container_image": move(group.init_container_image or DEFAULT_INIT_IMAGE),
            "sidecar_containers": _moved_containers(group.sidecar_containers, move),
        }
    )


def _moved_autoscaler(values: Values, move: Move) -> AutoscalerOptions | None:
    """The autoscaler's own image is set only when it is not the (moved) Ray image."""
    head = values.head
    options = head.autoscaler_options
    image = kuberay.autoscaler_image(
        values.kuberay_release,
        head.ray_version,
        options.image if options else None,
        values.image.reference,
    )
    if not head.enable_in_tree_autoscaling or image == values.image.reference:
        return options
    if options is None:
        return AutoscalerOptions.model_validate({"image": move(image)})
    return options.model_copy(update={"image": move(image)})
