"""The images a render uses (for copying them to an air-gapped registry)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from syntho_ray.facts import kuberay
from syntho_ray.resolve import Resolved


def autoscaler_image(resolved: Resolved) -> str | None:
    """The image KubeRay runs the autoscaler sidecar with, if the head autoscales."""
    cluster = resolved.values.cluster
    head = cluster.head
    if not head.enable_in_tree_autoscaling:
        return None
    options = head.autoscaler_options
    return kuberay.autoscaler_image(
        resolved.kuberay,
        head.ray_version,
        options.image if options else None,
        (head.image or cluster.image).reference,
    )


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
