"""Kubernetes client models from manifest data, and back.

`from_data` turns the YAML a Kubernetes manifest takes into the `kubernetes`
client's `V1*` models, checking field names and types against the models'
own OpenAPI tables and keeping every scalar exactly as written (`cpu: 1`
stays the number 1). `to_data` serialises models the way the API expects:
camelCase keys, no `None`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from kubernetes import client

Path = tuple[str | int, ...]

# Fields of type Quantity: Kubernetes accepts a number or a string there.
_QUANTITY_FIELDS = frozenset({"limits", "requests", "size_limit", "capacity", "allocatable"})
_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict[\[(]str, (.+)[\])]$")  # both spellings across client releases


class KubeDataError(ValueError):
    """Manifest data that does not fit a Kubernetes type; `problems` pairs paths with messages."""

    def __init__(self, problems: list[tuple[Path, str]]) -> None:
        super().__init__("; ".join(f"{format_path(p)}: {m}" for p, m in problems))
        self.problems = problems


def format_path(path: Path) -> str:
    """`('a', 0, 'b')` -> `a[0].b`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@cache
def _model(type_name: str) -> type[Any]:
    return getattr(client, type_name)  # type: ignore[no-any-return]


@cache
def _json_to_attr(type_name: str) -> dict[str, str]:
    return {json_key: attr for attr, json_key in _model(type_name).attribute_map.items()}


def from_data(data: Any, type_name: str) -> Any:
    """Build `client.<type_name>` (or `list[...]`, `dict(str, ...)`) from manifest data.

    Raises KubeDataError listing every unknown field, wrong type and missing
    required field, each with its path inside `data`.
    """
    problems: list[tuple[Path, str]] = []
    result = _convert(data, type_name, (), problems, quantity=False)
    if problems:
        raise KubeDataError(problems)
    return result


def _convert(
    data: Any, type_name: str, path: Path, problems: list[tuple[Path, str]], *, quantity: bool
) -> Any:
    if data is None:
        return None
    if match := _LIST.match(type_name):
        if not isinstance(data, list):
            problems.append((path, f"expected a list, got {_describe(data)}"))
            return None
        return [
            _convert(v, match[1], (*path, i), problems, quantity=quantity)
            for i, v in enumerate(data)
        ]
    if match := _DICT.match(type_name):
        if not isinstance(data, dict):
            problems.append((path, f"expected a mapping, got {_describe(data)}"))
            return None
        return {
            str(k): _convert(v, match[1], (*path, str(k)), problems, quantity=quantity)
            for k, v in data.items()
        }
    if type_name in ("str", "int", "bool", "float", "object", "datetime"):
        return _primitive(data, type_name, path, problems, quantity=quantity)
    return _object(data, type_name, path, problems)


def _object(data: Any, type_name: str, path: Path, problems: list[tuple[Path, str]]) -> Any:
    if not isinstance(data, dict):
        problems.append((path, f"expected a mapping ({type_name[2:]}), got {_describe(data)}"))
        return None
    model = _model(type_name)
    fields = _json_to_attr(type_name)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        attr = fields.get(key)
        if attr is None:
            problems.append(((*path, key), f"unknown field {key!r} in {type_name[2:]}"))
            continue
        kwargs[attr] = _convert(
            value,
            model.openapi_types[attr],
            (*path, key),
            problems,
            quantity=attr in _QUANTITY_FIELDS,
        )
    try:
        return model(**kwargs)
    except ValueError as exc:
        missing = re.search(r"`(\w+)`, must not be `None`", str(exc))
        name = model.attribute_map.get(missing[1], missing[1]) if missing else None
        problems.append(
            ((*path, name) if name else path, "required field is missing" if name else str(exc))
        )
        return None


def _primitive(
    data: Any, type_name: str, path: Path, problems: list[tuple[Path, str]], *, quantity: bool
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
    if not ok:
        want = {
            "str": "a string",
            "int": "an integer",
            "float": "a number",
            "bool": "true or false",
        }
        problems.append((path, f"expected {want.get(type_name, type_name)}, got {_describe(data)}"))
    return data


def _describe(value: Any) -> str:
    kind = {
        dict: "a mapping",
        list: "a list",
        bool: "a boolean",
        str: "a string",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
    return f"{kind} {value!r}" if isinstance(value, str | int | float) else kind


_API = client.ApiClient()


def to_data(obj: Any) -> Any:
    """Serialise client models (and our own RayCluster models) to API data."""
    return _API.sanitize_for_serialization(obj)


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
