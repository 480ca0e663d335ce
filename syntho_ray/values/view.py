"""What the checks both chart generations share read: the values' parts, each with its key
path as the user writes it in that generation's layout (`head.resources` in chart 1.13,
`ray-cluster.head.resources` in chart 1.14).

`checks.view_113` and `checks114.view_114` build it; `checks.shared_problems` and
`apirules.problems` read it. One implementation of each check serves both layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syntho_ray.errors import KeyPath
from syntho_ray.values.shared import ChartValues, ImageValues, StorageValues

Pod = Any  # the pod keys of a group of either layout (RayPodValues, RayPod114)


@dataclass(frozen=True)
class ValuesView:
    """The parts of one release's values the shared checks read, at their key paths."""

    pods: list[tuple[KeyPath, Pod]]  # the Ray head, then each enabled worker group
    images: list[tuple[KeyPath, ImageValues]]  # repository and tag given apart
    references: list[tuple[KeyPath, str]]  # whole image references
    top: ChartValues  # the keys both layouts have at the top: where the license comes from
    storage: StorageValues
    namespaces: list[tuple[KeyPath, str]]  # watchNamespace's items
    resources: list[tuple[KeyPath, Any]]  # requests and limits outside the Ray pods
    env: list[tuple[KeyPath, Any]]  # env lists outside the Ray pods' own
    tolerations: list[tuple[KeyPath, Any]]  # toleration lists outside the Ray pods
    annotations: list[tuple[KeyPath, dict[str, str] | None]]  # outside the Ray pods
    defaults: dict[str, Any]  # the chart's default values, in the same layout

    def default_at(self, path: KeyPath) -> Any:
        """The chart's default at `path`, or None."""
        found: Any = self.defaults
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        return found


def images_of(pods: list[tuple[KeyPath, Pod]]) -> list[tuple[KeyPath, str]]:
    """The image references of the pods' sidecars and (chart 1.14) init containers."""
    found: list[tuple[KeyPath, str]] = []
    for path, pod in pods:
        for key in ("initContainers", "sidecarContainers"):
            attribute = "init_containers" if key == "initContainers" else "sidecar_containers"
            for index, container in enumerate(getattr(pod, attribute, None) or []):
                if image := getattr(container, "image", None):
                    found.append(((*path, key, index, "image"), image))
    return found
