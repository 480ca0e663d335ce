"""Pydantic's validation errors as messages a platform engineer reads: YAML words, key paths."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from syntho_ray.errors import KeyPath
from syntho_ray.facts.guide import DUTCH, DUTCH_VALUES, suggestion
from syntho_ray.k8s.data import yaml_text
from syntho_ray.values.model import Values
from syntho_ray.values.suggest import value_suggestion

Finding = tuple[KeyPath, str]
_UNION_TAGS = {"str", "int", "float", "bool", "dict", "list", "none"}
_EXPECTED = {
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "string_type": "expected text",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "list_type": "expected a list",
    "missing": "required",
}


def findings(
    exc: ValidationError, data: dict[str, Any], root: type[BaseModel] = Values
) -> list[Finding]:
    """One (key path, message) per problem, union members merged, Dutch keys explained;
    `root` is the model validated (the values of one chart generation)."""
    by_path: dict[KeyPath, list[Any]] = {}
    out: list[Finding] = []
    for error in exc.errors(include_url=False):
        loc = _without_union_tag(tuple(error["loc"]))
        if error["type"] == "kubernetes":
            out += [((*loc, *sub), message) for sub, message in error["ctx"]["problems"]]
        elif error["type"] == "extra_forbidden":
            out += _unknown_key(loc, error.get("input"), root)
        else:
            by_path.setdefault(loc, []).append(error)
    for loc, errors in by_path.items():
        out.append((loc, _describe(errors)))
    return out


def _unknown_key(loc: KeyPath, value: Any, root: type[BaseModel]) -> list[Finding]:
    key = str(loc[-1]) if loc else ""
    found = [(loc, "unknown key" + suggestion(key, known_keys(loc[:-1], root)))]
    if key in DUTCH:  # a pasted Dutch example: name the translated keys inside too
        found += list(dutch_inside(value, loc))
    return found


def dutch_inside(value: Any, path: KeyPath) -> Iterator[Finding]:
    """Dutch guide keys and values anywhere inside `value`."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in DUTCH:
                yield (*path, key), f"unknown key{suggestion(str(key), [DUTCH[key]])}"
            yield from dutch_inside(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from dutch_inside(inner, (*path, index))
    elif isinstance(value, str) and value.lower() in DUTCH_VALUES:
        yield path, f"unknown value{value_suggestion(value)}"


def known_keys(path: KeyPath, root: type[BaseModel] = Values) -> list[str]:
    """The keys the values model `root` accepts at `path` (a mapping of the model)."""
    annotation: Any = root
    for part in path:
        model = _model_in(annotation)
        if model is not None:
            info = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
            annotation = info.annotation if info else None
        else:  # a map of models keyed by name (additionalWorkerGroups)
            args = [a for a in get_args(annotation) if a is not type(None)]
            dicts = [a for a in args if get_origin(a) is dict] or [annotation]
            annotation = get_args(dicts[0])[1] if get_args(dicts[0]) else None
    model = _model_in(annotation)
    return [f.alias or n for n, f in model.model_fields.items()] if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    options = [annotation, *get_args(annotation)]
    return next((o for o in options if isinstance(o, type) and issubclass(o, BaseModel)), None)


def _without_union_tag(loc: KeyPath) -> KeyPath:
    """Pydantic names the union member that failed last in the location; drop it."""
    last = loc[-1] if loc else None
    is_tag = isinstance(last, str) and (last in _UNION_TAGS or "[" in last)
    return loc[:-1] if is_tag else loc


def _describe(errors: list[Any]) -> str:
    error = errors[0]
    value = error.get("input")
    if len(errors) > 1:  # every member of a union refused the value
        message = "expected text, a number or true/false"
    elif error["type"] == "string_type" and isinstance(value, float):
        message = "expected text; YAML read this as a number, so quote it (for example '2.10')"
    else:
        message = _message(error)
    if isinstance(value, str | int | float | bool) or value is None:
        message += f" (got {yaml_text(value)}){value_suggestion(value)}"
    return message


def _message(error: Any) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    return str(error["msg"])
