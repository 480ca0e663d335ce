"""Air-gapped registries: every image moved to a mirror, and the list of images a render uses."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from syntho_ray.facts import kuberay
from syntho_ray.resolve import Resolved, resolve
from syntho_ray.resolve.chart113 import DEFAULT_INIT_IMAGE
from syntho_ray.values.model import AutoscalerOptions, ImageValues, Values, WorkerGroupValues

DOCKER_HUB = ("docker.io", "index.docker.io")
Move = Callable[[str], str]


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


def autoscaler_image(resolved: Resolved) -> str | None:
    """The image KubeRay runs the autoscaler sidecar with, if the head autoscales."""
    cluster = resolved.values.cluster
    head = cluster.head
    if not head.enable_in_tree_autoscaling:
        return None
    if head.autoscaler_options and head.autoscaler_options.image:
        return head.autoscaler_options.image
    fallback = kuberay.AUTOSCALER_FALLBACK.holds_for(resolved.kuberay)
    if fallback and _major(head.ray_version) < 2:
        return kuberay.AUTOSCALER_FALLBACK_IMAGE
    return (head.image or cluster.image).reference


def _major(ray_version: str | None) -> int:
    """The major version KubeRay 0.x reads from rayVersion (2 when it cannot read one)."""
    match = re.fullmatch(r"(\d+)(?:\..*)?", ray_version or "")
    return int(match[1]) if match else 2


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
    options = values.head.autoscaler_options
    image = autoscaler_image(resolve(values))
    if image is None or image == values.image.reference:
        return options
    if options is None:
        return AutoscalerOptions.model_validate({"image": move(image)})
    return options.model_copy(update={"image": move(image)})


def used_images(documents: Sequence[Mapping[str, Any]], autoscaler: str | None) -> list[str]:
    """Every image in the documents' pods, and the autoscaler's; sorted, each once."""
    found = {image for document in documents for image in _pod_images(document)}
    return sorted(found | ({autoscaler} if autoscaler else set()))


def _pod_images(data: Any) -> Iterator[str]:
    if isinstance(data, Mapping):
        for key in ("containers", "initContainers"):
            for container in data.get(key) or []:
                if isinstance(container, Mapping) and container.get("image"):
                    yield str(container["image"])
        for value in data.values():
            yield from _pod_images(value)
    elif isinstance(data, list):
        for item in data:
            yield from _pod_images(item)
