"""The two claims every Ray pod mounts: Ray workflows and Syntho data."""

from __future__ import annotations

from typing import Any

from syntho_ray.build.naming import Release
from syntho_ray.facts.charts import DATA_CLAIM, WORKFLOWS_CLAIM
from syntho_ray.k8s import client
from syntho_ray.resolve import Resolved


def _claim(
    name: str, size: str, pv_label: str | None, resolved: Resolved, release: Release
) -> client.V1PersistentVolumeClaim:
    storage = resolved.values.storage
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
    storage = resolved.values.storage
    return [
        _claim(WORKFLOWS_CLAIM, "20Gi", storage.pv_label_key, resolved, release),
        _claim(
            DATA_CLAIM,
            storage.data_storage or "100Gi",
            storage.data_pv_label_key,
            resolved,
            release,
        ),
    ]
