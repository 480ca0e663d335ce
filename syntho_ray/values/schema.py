"""The JSON Schema of a values file, generated from the values model, for editors.

Draft-07, which the YAML language server and most editors read. Keys that are Kubernetes
types get the fields of the `kubernetes` client's model. No key is required: a values file
is merged over the chart's defaults, so each one may leave out any key.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from syntho_ray.k8s.client import model_class
from syntho_ray.k8s.patterns import DICT_TYPE, LIST_TYPE
from syntho_ray.values.model import Values
from syntho_ray.values.shared import kube_value

DRAFT = "http://json-schema.org/draft-07/schema#"
_PRIMITIVES: dict[str, JsonSchemaValue] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string"},
    "object": {},
}
# Resource quantities: the client types them as text; a manifest may give a number.
_QUANTITY_MAPS = {"limits", "requests"}
_KUBE_REF = "x-kubernetes-model"


def values_schema(model: type[BaseModel] = Values) -> dict[str, Any]:
    """The JSON Schema of a syntho-ray (Helm chart) values file; `model`: the chart
    generation's values (`Values114` for chart 1.14)."""
    generator = _Generator(by_alias=True)
    schema = generator.generate(model.__pydantic_core_schema__, mode="validation")
    definitions = {**schema.pop("$defs", {}), **generator.kube_definitions}
    body = _draft07(_loose(schema))
    body["definitions"] = {name: _draft07(_loose(d)) for name, d in sorted(definitions.items())}
    return {"$schema": DRAFT, "title": "syntho-ray values", **body}


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, with Kubernetes-typed keys described by their client model."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kube_definitions: dict[str, JsonSchemaValue] = {}

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        function = schema["function"]["function"]
        if isinstance(function, partial) and function.func is kube_value:
            kube = _kube(function.keywords["type_name"], self.kube_definitions)
            return {"anyOf": [kube, {"type": "null"}]}
        return super().function_before_schema(schema)


def _kube(type_name: str, definitions: dict[str, JsonSchemaValue]) -> JsonSchemaValue:
    """The schema of a client type name (`V1Container`, `list[V1EnvVar]`, `dict(str, str)`)."""
    if match := LIST_TYPE.match(type_name):
        return {"type": "array", "items": _kube(match[1], definitions)}
    if match := DICT_TYPE.match(type_name):
        return {"type": "object", "additionalProperties": _kube(match[1], definitions)}
    if type_name in _PRIMITIVES:
        return dict(_PRIMITIVES[type_name])
    if type_name not in definitions:
        definitions[type_name] = {}  # a model may contain itself (JSONSchemaProps)
        model = model_class(type_name)
        definitions[type_name] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                key: _quantities() if attr in _QUANTITY_MAPS else _kube(kind, definitions)
                for attr, kind in model.openapi_types.items()
                for key in [model.attribute_map[attr]]
            },
        }
    return {_KUBE_REF: type_name}  # a `$ref` once pydantic is done (it checks every `$ref`)


def _quantities() -> JsonSchemaValue:
    return {"type": "object", "additionalProperties": {"type": ["string", "number"]}}


def _loose(node: Any, *, names: bool = False) -> Any:
    """Without `required` (a file may leave out any key) and pydantic's generated titles.

    `names`: `node` maps property names (which are kept, whatever they are) to schemas.
    """
    if isinstance(node, list):
        return [_loose(v) for v in node]
    if not isinstance(node, dict):
        return node
    return {
        key: _loose(value, names=key == "properties" and not names)
        for key, value in node.items()
        if names or key not in ("required", "title")
    }


def _draft07(node: Any) -> Any:
    """Draft-07's `definitions`; it ignores keys beside `$ref`, so such a `$ref` moves into an
    `allOf`."""
    if isinstance(node, list):
        return [_draft07(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _draft07(v) for k, v in node.items()}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/$defs/", "#/definitions/")
    if _KUBE_REF in out:
        out["$ref"] = f"#/definitions/{out.pop(_KUBE_REF)}"
    if "$ref" in out and len(out) > 1:
        out = {"allOf": [{"$ref": out.pop("$ref")}], **out}
    return out
