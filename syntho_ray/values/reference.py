"""The values reference in the README, generated from the model so the two cannot drift."""

from __future__ import annotations

import json
from typing import Any, get_args

from pydantic import BaseModel

from syntho_ray.values.model import Values, WorkerGroupValues, chart_defaults

START = "<!-- values-reference:start -->"
END = "<!-- values-reference:end -->"


def values_reference() -> str:
    """A Markdown table: every key, its default and what it does."""
    rows = ["| Key | Default | Description |", "| --- | --- | --- |"]
    rows += [
        _row(key, default, text) for key, default, text in _fields(Values, "", chart_defaults())
    ]
    return "\n".join(rows)


class _Said(str):
    """A default cell written as it is, not as JSON."""


def _row(key: str, default: Any, text: str) -> str:
    shown = default if isinstance(default, _Said) else ""
    if default is not None and not shown:
        shown = f"`{json.dumps(default, separators=(', ', ': '))}`"
    escaped = shown.replace("|", "\\|")
    return f"| `{key}` | {escaped} | {text} |"


def _fields(model: type[BaseModel], prefix: str, defaults: Any) -> list[tuple[str, Any, str]]:
    out: list[tuple[str, Any, str]] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        default = defaults.get(info.alias or name) if isinstance(defaults, dict) else None
        nested = _nested_model(info.annotation)
        if nested is not None:
            out += _fields(nested, f"{key}.", default)
        elif _is_group_map(info.annotation):
            out += _group_map(key, default if isinstance(default, dict) else {}, info.description)
        else:
            out.append((key, default, info.description or ""))
    return out


def _group_map(key: str, groups: dict[str, Any], text: str | None) -> list[tuple[str, Any, str]]:
    """The map's row, each of the chart's own groups with its defaults, then any group's keys."""
    named = ", ".join(f"`{name}`" for name in groups) or None
    out: list[tuple[str, Any, str]] = [(key, named and _Said(named), text or "")]
    for name, group in groups.items():
        out += _fields(WorkerGroupValues, f"{key}.{name}.", group)
    return out + _fields(WorkerGroupValues, f"{key}.<name>.", None)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *get_args(annotation)]
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _is_group_map(annotation: Any) -> bool:
    return "WorkerGroupValues" in str(annotation) and "dict" in str(annotation)


def update_readme(path: str = "README.md") -> bool:
    """Rewrite the values reference between the markers; True if the file changed."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    updated = f"{head}{START}\n{values_reference()}\n{END}{tail}"
    if updated != text:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(updated)
    return updated != text


if __name__ == "__main__":
    update_readme()
