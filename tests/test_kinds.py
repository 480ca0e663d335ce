"""The one kind registry: every kind we render has its place in the apply order."""

from __future__ import annotations

from syntho_ray import build_objects, values_from_mapping
from syntho_ray.facts.kinds import APPLY_ORDER, KINDS, apply_rank, raycluster_kind


def test_every_rendered_kind_is_in_the_registry_in_apply_order() -> None:
    values = values_from_mapping({"SynthoLicense": "k", "worker": {"disabled": False}})
    kinds = [obj.kind for obj in build_objects(values)]
    assert set(kinds) <= set(APPLY_ORDER)
    assert kinds == sorted(kinds, key=apply_rank)


def test_an_unknown_kind_sorts_after_every_known_one_instead_of_raising() -> None:
    assert all(apply_rank("Gateway") > apply_rank(kind) for kind in APPLY_ORDER)
    assert sorted(["Gateway", "RayCluster", "Namespace"], key=apply_rank) == [
        "Namespace",
        "RayCluster",
        "Gateway",
    ]


def test_the_raycluster_version_follows_the_kuberay_release() -> None:
    assert raycluster_kind("0.6.0").api_version == "ray.io/v1alpha1"
    assert raycluster_kind("1.0.0").api_version == "ray.io/v1"
    assert raycluster_kind("1.0.0").rank == KINDS["Deployment"].rank + 1
