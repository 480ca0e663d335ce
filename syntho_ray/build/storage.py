"""The two claims every Ray pod mounts: Ray workflows and Syntho data."""

from __future__ import annotations

from typing import Any

from syntho_ray.build.naming import Release
from syntho_ray.build.resolved import Resolved
from syntho_ray.k8s import client
from syntho_ray.values.model import Values

WORKFLOWS_CLAIM = "ray-workflows-claim"
DATA_CLAIM = "ray-data-claim"
WORKFLOWS_PATH = "/tmp/ray-workflows"
DATA_PATH = "/tmp/ray-data"
# (volume name, claim name, mount path) of the shared volumes, in mount order.
SHARED_VOLUMES = (
    ("ray-workflows", WORKFLOWS_CLAIM, WORKFLOWS_PATH),
    ("ray-data", DATA_CLAIM, DATA_PATH),
)


def _claim(
    name: str, size: str, pv_label: str | None, values: Values, release: Release
) -> client.V1PersistentVolumeClaim:
    storage = values.storage
    by_label = not storage.storage_class_name and bool(pv_label)
    return client.V1PersistentVolumeClaim(
        api_version="v1",
        kind="PersistentVolumeClaim",
        metadata=client.V1ObjectMeta(name=name, namespace=release.namespace),
        spec=client.V1PersistentVolumeClaimSpec(
            access_modes=[storage.access_mode or "ReadWriteMany"],
            resources=client.V1VolumeResourceRequirements(requests={"storage": size}),
            selector=client.V1LabelSelector(match_labels={"pv-label-key": pv_label})
            if by_label
            else None,
            storage_class_name=None if by_label else (storage.storage_class_name or None),
        ),
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """`ray-workflows-claim` (20Gi) and `ray-data-claim` (dataStorage, default 100Gi)."""
    values = resolved.values
    storage = values.storage
    return [
        _claim(WORKFLOWS_CLAIM, "20Gi", storage.pv_label_key, values, release),
        _claim(
            DATA_CLAIM, storage.data_storage or "100Gi", storage.data_pv_label_key, values, release
        ),
    ]


def shared_volumes() -> list[client.V1Volume]:
    """The pod volumes of the two claims."""
    return [
        client.V1Volume(
            name=volume,
            persistent_volume_claim=client.V1PersistentVolumeClaimVolumeSource(claim_name=claim),
        )
        for volume, claim, _ in SHARED_VOLUMES
    ]


def shared_mounts() -> list[client.V1VolumeMount]:
    """Mounts of the two claims."""
    return [
        client.V1VolumeMount(name=volume, mount_path=path) for volume, _, path in SHARED_VOLUMES
    ]
