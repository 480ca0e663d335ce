"""The package's shape: its modules import each other in one direction, without a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "syntho_ray"


@cache
def module_files() -> dict[str, Path]:
    """Module name -> file, for every module of the package (a package by its __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported_modules(tree: ast.AST, module: str, modules: set[str]) -> set[str]:
    """The package's modules an import statement anywhere in `tree` imports: at module level,
    under TYPE_CHECKING or in a function alike (`from a import b`: `a.b` if that is a
    module, else `a`)."""
    return set(_imports(tree, module, modules)) - {""}


def _imports(tree: ast.AST, module: str, modules: set[str]) -> Iterator[str]:
    is_package = _is_package(module)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (_deepest(alias.name, modules) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                parent = parts[: len(parts) - node.level + is_package]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            for alias in node.names:
                name = f"{base}.{alias.name}"
                yield name if name in modules else _deepest(base, modules)


def _is_package(module: str) -> bool:
    return module_files()[module].name == "__init__.py"


def _deepest(name: str, modules: set[str]) -> str:
    """The longest prefix of the dotted `name` that is a module of the package, or ""."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package it imports."""
    files = module_files()
    modules = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = imported_modules(tree, module, modules) - {module}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each group of modules that import each other, as a path that
    ends where it starts."""
    found, done = [], set[str]()
    for start in sorted(graph):
        path = _way_back(graph, start, start, [start], done)
        if path is not None:
            found.append(path)
            done.update(path)
        done.add(start)
    return found


def _way_back(
    graph: dict[str, set[str]], at: str, home: str, path: list[str], done: set[str]
) -> list[str] | None:
    """A path from `at` back to `home` through modules not yet on `path` (depth first)."""
    for nxt in sorted(graph[at]):
        if nxt == home:
            return [*path, home]
        if nxt not in path and nxt not in done:
            found = _way_back(graph, nxt, home, [*path, nxt], done)
            if found is not None:
                return found
    return None


def test_no_module_imports_itself_through_others() -> None:
    named = [" -> ".join(circle) for circle in circles(import_graph())]
    assert named == [], "import circles:\n" + "\n".join(named)


def test_the_circle_search_finds_a_circle_and_names_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set[str]()}
    assert circles(graph) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set[str]()}) == []


def test_every_kind_of_import_counts() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import naming\n"
        "from syntho_ray import collector\n"
        "if TYPE_CHECKING:\n    from syntho_ray.values.model import Values\n"
        "def f():\n    import syntho_ray.render\n"
    )
    found = imported_modules(ast.parse(source), "syntho_ray.build.rbac", set(module_files()))
    assert found == {
        "syntho_ray.build.naming",
        "syntho_ray.collector",
        "syntho_ray.values.model",
        "syntho_ray.render",
    }


def test_the_1_14_layout_is_told_apart_by_its_models_own_keys() -> None:
    from syntho_ray.values.layouts import SHARED_KEYS, own_keys
    from syntho_ray.values.model114 import Values114

    keys = {field.alias or name for name, field in Values114.model_fields.items()}
    assert own_keys("1.14") == keys - SHARED_KEYS
