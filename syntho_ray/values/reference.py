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


def _row(key: str, default: Any, text: str) -> str:
    shown = "" if default is None else f"`{json.dumps(default, separators=(', ', ': '))}`"
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
            out.append((key, None, info.description or ""))
            out += _fields(WorkerGroupValues, f"{key}.<name>.", None)
        else:
            out.append((key, default, info.description or ""))
    return out


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
