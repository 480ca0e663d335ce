"""Server-side apply as the Kubernetes API server does it, small enough for tests.

Field sets are sets of paths; a path step is `f:<key>` for a map key or
`k:{"name": ...}` for an item of an associative list (a list of maps that all
have a `name`; other lists are atomic, owned whole). A manager owns the leaves
it applied. `apply` merges a manager's configuration into the live object,
reports conflicts with other managers that own a field with another value,
and removes fields the manager applied before and no longer does (unless
another manager still owns them).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str, ...]
MISSING = object()


def _is_assoc(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(i, dict) and "name" in i for i in value)
    )


def _item_step(item: dict[str, Any]) -> str:
    return "k:" + json.dumps({"name": item["name"]}, separators=(",", ":"))


def fields(obj: Any, prefix: Path = ()) -> set[Path]:
    """The leaf paths of `obj` (and the item paths of associative lists)."""
    found: set[Path] = set()
    if not isinstance(obj, dict):
        return found
    for key, value in obj.items():
        path = (*prefix, f"f:{key}")
        if isinstance(value, dict) and value:
            found |= fields(value, path)
        elif _is_assoc(value):
            for item in value:
                item_path = (*path, _item_step(item))
                found.add(item_path)
                found |= fields(item, item_path)
        else:
            found.add(path)
    return found


def get(obj: Any, path: Path) -> Any:
    """The value at `path`, or MISSING."""
    for step in path:
        if step.startswith("f:") and isinstance(obj, dict) and step[2:] in obj:
            obj = obj[step[2:]]
        elif step.startswith("k:") and isinstance(obj, list):
            name = json.loads(step[2:])["name"]
            obj = next((i for i in obj if isinstance(i, dict) and i.get("name") == name), MISSING)
        else:
            return MISSING
        if obj is MISSING:
            return MISSING
    return obj


def remove(obj: Any, path: Path) -> None:
    """Delete the field or list item at `path` (if there)."""
    parent = get(obj, path[:-1]) if len(path) > 1 else obj
    step = path[-1]
    if step.startswith("f:") and isinstance(parent, dict):
        parent.pop(step[2:], None)
    elif step.startswith("k:") and isinstance(parent, list):
        name = json.loads(step[2:])["name"]
        parent[:] = [i for i in parent if not (isinstance(i, dict) and i.get("name") == name)]


def merge(live: Any, applied: Any) -> Any:
    """`applied` over `live`: maps merge, associative lists merge by name, the rest is replaced."""
    if isinstance(live, dict) and isinstance(applied, dict):
        out = copy.deepcopy(live)
        for key, value in applied.items():
            out[key] = merge(live[key], value) if key in live else copy.deepcopy(value)
        return out
    if _is_assoc(live) and _is_assoc(applied):
        by_name = {i["name"]: i for i in live}
        merged = [merge(by_name.get(i["name"], {}), i) for i in applied]
        names = {i["name"] for i in applied}
        return merged + [copy.deepcopy(i) for i in live if i["name"] not in names]
    return copy.deepcopy(applied)


@dataclass
class Manager:
    """One entry of managedFields."""

    operation: str  # Apply or Update
    api_version: str
    fields: set[Path] = field(default_factory=set)
    time: str = ""


@dataclass(frozen=True)
class Conflict:
    """Another manager owns `path` with a different value."""

    manager: str
    api_version: str
    path: Path  # the field, as fieldsV1 steps (f:name, k:{"name":...})

    def __str__(self) -> str:
        dotted = "".join(
            f".{s[2:]}" if s.startswith("f:") else f"[name={json.loads(s[2:])['name']}]"
            for s in self.path
        )
        return f'conflict with "{self.manager}" using {self.api_version}: {dotted}'


def apply(
    live: dict[str, Any] | None,
    managers: dict[str, Manager],
    name: str,
    config: dict[str, Any],
    api_version: str,
    *,
    force: bool,
) -> tuple[dict[str, Any], dict[str, Manager], list[Conflict]]:
    """The object and managers after `name` applies `config`, or the conflicts."""
    current = live or {}
    new_fields = fields(config)
    conflicts = [
        Conflict(other, m.api_version, path)
        for other, m in managers.items()
        if other != name
        for path in sorted(new_fields & m.fields)
        if not path[-1].startswith("k:") and get(current, path) != get(config, path)
    ]
    if conflicts and not force:
        return current, managers, conflicts
    result = merge(current, config)
    after = {
        k: Manager(m.operation, m.api_version, set(m.fields), m.time) for k, m in managers.items()
    }
    for conflict in conflicts:
        after[conflict.manager].fields.discard(conflict.path)
    old = after.get(name, Manager("Apply", api_version)).fields
    others = [m.fields for k, m in after.items() if k != name]
    for path in sorted(old - new_fields, key=len):  # a list item before its fields (its key)
        if not any(p[: len(path)] == path for owned in others for p in owned):
            remove(result, path)
    after[name] = Manager("Apply", api_version, new_fields)
    return result, {k: m for k, m in after.items() if m.fields}, []


def update(
    live: dict[str, Any],
    managers: dict[str, Manager],
    name: str,
    patch: dict[str, Any],
    api_version: str,
) -> tuple[dict[str, Any], dict[str, Manager]]:
    """A create or merge patch by `name`: it takes the fields it sets from everyone else."""
    result = merge_patch(live, patch)
    changed = {
        p for p in fields(patch) if get(result, p) is not MISSING and get(live, p) != get(result, p)
    }
    after = {
        k: Manager(m.operation, m.api_version, set(m.fields), m.time) for k, m in managers.items()
    }
    for other, m in after.items():
        if other != name:
            m.fields -= changed
    entry = after.get(name) or Manager("Update", api_version)
    if entry.operation != "Update":
        entry = Manager("Update", api_version)
        after[f"{name}"] = entry
    entry.fields |= changed
    after[name] = entry
    return result, {k: m for k, m in after.items() if m.fields}


def merge_patch(live: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: null removes a key."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(live) if isinstance(live, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def fields_v1(paths: set[Path]) -> dict[str, Any]:
    """The `fieldsV1` form of a field set, as in managedFields."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        for step in path:
            node = node.setdefault(step, {})
            if step.startswith("k:"):
                node.setdefault(".", {})
    return tree


def paths(tree: dict[str, Any], prefix: Path = ()) -> set[Path]:
    """The field set of a `fieldsV1` tree (the inverse of `fields_v1`)."""
    found: set[Path] = set()
    for step, below in tree.items():
        if step == ".":
            continue
        path = (*prefix, step)
        children = {k: v for k, v in (below or {}).items() if k != "."}
        if step.startswith("k:") or not children:
            found.add(path)
        found |= paths(children, path)
    return found
