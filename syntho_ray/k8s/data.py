"""Kubernetes client models from manifest data, and back.

`from_data` turns the YAML a Kubernetes manifest takes into the `kubernetes`
client's `V1*` models, checking field names and types against the models'
own OpenAPI tables and keeping every scalar exactly as written (`cpu: 1`
stays the number 1); a null list item is an error, a null map value
removes its key (as a null override does in Helm). `to_data` serialises
models the way the API expects: camelCase keys, no `None`.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from typing import Any

from syntho_ray.errors import KeyPath
from syntho_ray.facts.guide import suggestion
from syntho_ray.k8s import client
from syntho_ray.k8s.patterns import DICT_TYPE, LIST_TYPE, QUANTITY

# Fields of type Quantity: Kubernetes accepts a number or a string there.
_QUANTITY_FIELDS = frozenset({"limits", "requests", "size_limit", "capacity", "allocatable"})
_RESOURCE_NAMES = ("cpu", "memory", "ephemeral-storage", "storage")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
# Closed choices inside Kubernetes types: (model, attribute) -> allowed values.
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("V1Toleration", "operator"): ("Equal", "Exists"),
    ("V1Toleration", "effect"): ("NoSchedule", "PreferNoSchedule", "NoExecute"),
    ("V1Container", "image_pull_policy"): _PULL_POLICIES,
    ("V1ContainerPort", "protocol"): ("TCP", "UDP", "SCTP"),
    ("V1NodeSelectorRequirement", "operator"): (
        "In",
        "NotIn",
        "Exists",
        "DoesNotExist",
        "Gt",
        "Lt",
    ),
    ("V1LabelSelectorRequirement", "operator"): ("In", "NotIn", "Exists", "DoesNotExist"),
}


class KubeDataError(ValueError):
    """Manifest data that does not fit a Kubernetes type; `problems` pairs paths with messages."""

    def __init__(self, problems: list[tuple[KeyPath, str]]) -> None:
        super().__init__("; ".join(f"{format_path(p)}: {m}" for p, m in problems))
        self.problems = problems


def format_path(path: KeyPath) -> str:
    """`('a', 0, 'b')` -> `a[0].b`; a key that cannot be printed as is is quoted: `a["\\n"]`."""
    out = ""
    for part in path:
        if isinstance(part, int) or not part.isprintable():
            out += f"[{json.dumps(part) if isinstance(part, str) else part}]"
        else:
            out += f".{part}" if out else part
    return out


@cache
def _model(type_name: str) -> type[Any]:
    return client.model_class(type_name)


@cache
def _json_to_attr(type_name: str) -> dict[str, str]:
    return {json_key: attr for attr, json_key in _model(type_name).attribute_map.items()}


def from_data(data: Any, type_name: str) -> Any:
    """Build `client.<type_name>` (or `list[...]`, `dict(str, ...)`) from manifest data.

    Raises KubeDataError listing every unknown field, wrong type and missing
    required field, each with its path inside `data`.
    """
    problems: list[tuple[KeyPath, str]] = []
    result = _convert(data, type_name, (), problems, quantity=False)
    if problems:
        raise KubeDataError(problems)
    return result


def _convert(
    data: Any, type_name: str, path: KeyPath, problems: list[tuple[KeyPath, str]], *, quantity: bool
) -> Any:
    if data is None:
        return None
    if match := LIST_TYPE.match(type_name):
        if not isinstance(data, list):
            problems.append((path, f"expected a list, got {_describe(data)}"))
            return None
        for index in (i for i, v in enumerate(data) if v is None):
            problems.append(((*path, index), "a list item cannot be null"))
        return [
            _convert(v, match[1], (*path, i), problems, quantity=quantity)
            for i, v in enumerate(data)
            if v is not None
        ]
    if match := DICT_TYPE.match(type_name):
        if not isinstance(data, dict):
            problems.append((path, f"expected a mapping, got {_describe(data)}"))
            return None
        # A null value removes its key, as Helm's null override does (`limits: {memory: null}`).
        return {
            str(k): _convert(v, match[1], (*path, str(k)), problems, quantity=quantity)
            for k, v in data.items()
            if v is not None
        }
    if type_name in ("str", "int", "bool", "float", "object", "datetime"):
        return _primitive(data, type_name, path, problems, quantity=quantity)
    return _object(data, type_name, path, problems)


def _object(data: Any, type_name: str, path: KeyPath, problems: list[tuple[KeyPath, str]]) -> Any:
    if not isinstance(data, dict):
        problems.append((path, f"expected a mapping ({type_name[2:]}), got {_describe(data)}"))
        return None
    model = _model(type_name)
    fields = _json_to_attr(type_name)
    kwargs: dict[str, Any] = {}
    unknown = False
    for key, value in data.items():
        attr = fields.get(key)
        if attr is None:
            hint = suggestion(str(key), fields)
            problems.append(((*path, key), f"unknown field {key!r} in {type_name[2:]}{hint}"))
            unknown = True
            continue
        _check_choice(type_name, attr, value, (*path, key), problems)
        if type_name == "V1ResourceRequirements" and isinstance(value, dict):
            _check_resource_names(value, (*path, key), problems)
        kwargs[attr] = _convert(
            value,
            model.openapi_types[attr],
            (*path, key),
            problems,
            quantity=attr in _QUANTITY_FIELDS,
        )
    try:
        return model(**kwargs, local_vars_configuration=client.configuration())
    except ValueError as exc:
        if not unknown:  # a misspelt key already explains a missing one
            problems.append(_missing(model, path, exc))
        return None


def _missing(model: type[Any], path: KeyPath, exc: ValueError) -> tuple[KeyPath, str]:
    missing = re.search(r"`(\w+)`, must not be `None`", str(exc))
    if missing is None:
        return path, str(exc)
    return (*path, model.attribute_map.get(missing[1], missing[1])), "required field is missing"


def _check_choice(
    type_name: str, attr: str, value: Any, path: KeyPath, problems: list[tuple[KeyPath, str]]
) -> None:
    allowed = _CHOICES.get((type_name, attr))
    if allowed and value is not None and value not in allowed:
        problems.append((path, f"must be one of {', '.join(allowed)} (got {value!r})"))


def _check_resource_names(
    resources: dict[Any, Any], path: KeyPath, problems: list[tuple[KeyPath, str]]
) -> None:
    for name in resources:
        known = str(name) in _RESOURCE_NAMES or str(name).startswith("hugepages-")
        if not known and "/" not in str(name):
            hint = suggestion(str(name), _RESOURCE_NAMES)
            problems.append(((*path, name), f"unknown resource {name!r}{hint}"))


_MULTIPLIERS = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "": 1,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
}


def quantity_value(quantity: Any) -> float | None:
    """A Kubernetes quantity as a number (`500m` -> 0.5, `2Gi` -> 2147483648), None if invalid."""
    if isinstance(quantity, int | float) and not isinstance(quantity, bool):
        return float(quantity)
    match = QUANTITY.match(str(quantity)) if isinstance(quantity, str) else None
    if match is None:
        return None
    number, suffix = float(match[1]), str(match[2] or "")
    if suffix in _MULTIPLIERS:  # `E` and `Ei` are exa and exbi, not exponents
        return number * float(_MULTIPLIERS[suffix])
    try:
        return number * 10.0 ** int(suffix[1:])
    except OverflowError:
        return float("inf")


def _primitive(
    data: Any, type_name: str, path: KeyPath, problems: list[tuple[KeyPath, str]], *, quantity: bool
) -> Any:
    number = isinstance(data, int | float) and not isinstance(data, bool)
    ok = {
        "str": isinstance(data, str) or (quantity and number),
        "int": isinstance(data, int) and not isinstance(data, bool),
        "float": number,
        "bool": isinstance(data, bool),
        "object": isinstance(data, str | int | float | bool | dict | list),
        "datetime": isinstance(data, str),
    }[type_name]
    if ok and quantity and not QUANTITY.match(str(data)):
        problems.append(
            (path, f"not a Kubernetes quantity: {data!r} (for example 500m, 2, 4Gi, 32G)")
        )
    if not ok:
        want = {
            "str": "text",
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
        }
        problems.append((path, f"expected {want.get(type_name, type_name)}, got {_describe(data)}"))
    if ok and quantity and isinstance(data, float):
        return str(data)  # a custom resource's int-or-string schema rejects 1.5, not "1.5"
    return data


def _describe(value: Any) -> str:
    kind = {
        dict: "a mapping",
        list: "a list",
        bool: "",
        str: "the text",
        int: "the number",
        float: "the number",
        type(None): "",
    }.get(type(value), type(value).__name__)
    scalar = isinstance(value, str | int | float | bool) or value is None
    return f"{kind} {yaml_text(value)}".strip() if scalar else kind


def yaml_text(value: Any) -> str:
    """A scalar as YAML spells it: true, null, 'text', 3."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


_PRIMITIVES = (float, bool, bytes, str, int)
_SCALARS = frozenset({*_PRIMITIVES, type(None)})


def to_data(obj: Any, *, sort_keys: bool = False) -> Any:
    """Serialise client models (and our own RayCluster models) to API data; with `sort_keys`,
    every map sorted by key (the render's documents).

    As `ApiClient().sanitize_for_serialization` does, without loading the API client.
    """
    if type(obj) in _SCALARS or isinstance(obj, _PRIMITIVES):
        return obj
    if isinstance(obj, list):
        return [to_data(v, sort_keys=sort_keys) for v in obj]
    if isinstance(obj, tuple):
        return tuple(to_data(v, sort_keys=sort_keys) for v in obj)
    if isinstance(obj, datetime.datetime | datetime.date):
        return obj.isoformat()
    if isinstance(obj, dict):
        keys = sorted(obj) if sort_keys else obj
        return {key: to_data(obj[key], sort_keys=sort_keys) for key in keys}
    found = ((key, getattr(obj, attr)) for key, attr in _fields(type(obj), sort_keys))
    return {key: to_data(value, sort_keys=sort_keys) for key, value in found if value is not None}


_HEAD_KEYS = ("apiVersion", "kind", "metadata")
_HEAD_RANK = {key: rank for rank, key in enumerate(_HEAD_KEYS)}


def to_document(obj: Any) -> dict[str, Any]:
    """One object as API data: apiVersion, kind, metadata first, every other map sorted."""
    data = to_data(obj, sort_keys=True)
    return {k: data[k] for k in _HEAD_KEYS if k in data} | {
        k: v for k, v in data.items() if k not in _HEAD_KEYS
    }


def document_fields(obj: Any) -> list[tuple[str, Any]] | None:
    """`model_fields(obj)` in the order of `to_document(obj)`: apiVersion, kind, metadata first."""
    fields = model_fields(obj)
    return None if fields is None else sorted(fields, key=lambda f: _HEAD_RANK.get(f[0], 3))


def model_fields(obj: Any) -> list[tuple[str, Any]] | None:
    """A model's set fields as (API key, value), sorted by key as `to_data(obj, sort_keys=True)`
    maps them but with the values not yet converted; None for what is not a model."""
    if not hasattr(type(obj), "attribute_map"):
        return None
    return [
        (key, value)
        for key, attr in _fields(type(obj), True)
        if (value := getattr(obj, attr)) is not None
    ]


def _fields(model: type, sort_keys: bool) -> tuple[tuple[str, str], ...]:
    """(API key, attribute) of a model's fields, in the model's order or sorted by API key."""
    fields = _FIELDS.get((model, sort_keys))
    if fields is None:
        table: Any = model  # a client model, or one of ours with the same two tables
        found = tuple((table.attribute_map[attr], attr) for attr in table.openapi_types)
        fields = _FIELDS[model, sort_keys] = tuple(sorted(found)) if sort_keys else found
    return fields


_FIELDS: dict[tuple[type, bool], tuple[tuple[str, str], ...]] = {}


def is_empty(obj: Any) -> bool:
    """True for None, empty collections and models with no field set."""
    if obj is None:
        return True
    if isinstance(obj, list | dict | str):
        return not obj
    attrs = getattr(obj, "openapi_types", None)
    return attrs is not None and all(getattr(obj, a) is None for a in attrs)


def or_none(obj: Any) -> Any:
    """`obj`, or None when it is empty (so it is left out of the output)."""
    return None if is_empty(obj) else obj
