"""The library, without the command line: typed objects."""

from __future__ import annotations

from syntho_ray import build_objects, values_from_mapping


def test_build_objects_are_typed_models_with_kind_and_metadata() -> None:
    objects = build_objects(values_from_mapping({"SynthoLicense": "k"}))
    assert [o.kind for o in objects][-1] == "RayCluster"
    assert all(o.api_version and o.metadata.name for o in objects)
