"""The package's shape: its modules import each other in one direction, without a circle."""

from __future__ import annotations

import ast
import re
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


# The layers, lowest first: a module imports only modules of its own layer or of lower ones
# (a subpackage by its folder, a top-level module by its name). The README's Architecture
# section says the same order in its "Each layer imports only" line.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "collector"),
    ("facts",),
    ("k8s",),
    ("values",),
    ("resolve",),
    ("build",),
    ("output",),
    ("render", "notes", "podsecurity", "__init__"),
    ("cluster",),
    ("cli", "__main__"),
)


def layer_of(module: str) -> str:
    """`syntho_ray.values.model` -> `values`; `syntho_ray.render` -> `render`; the package
    itself -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def upward_imports(
    graph: dict[str, set[str]], layers: tuple[tuple[str, ...], ...] = LAYERS
) -> list[str]:
    """Every import of a module of a higher layer, as `importer -> imported`."""
    rank = {name: i for i, names in enumerate(layers) for name in names}
    return [
        f"{module} -> {imported}"
        for module, imports in sorted(graph.items())
        for imported in sorted(imports)
        if rank[layer_of(imported)] > rank[layer_of(module)]
    ]


def test_every_module_has_a_layer() -> None:
    placed = {name for names in LAYERS for name in names}
    assert sorted({layer_of(m) for m in module_files()} - placed) == []


def test_the_layers_only_import_downwards() -> None:
    found = upward_imports(import_graph())
    assert found == [], "a layer imports a higher one:\n" + "\n".join(found)


def test_the_layer_check_finds_an_import_that_reaches_up() -> None:
    graph = {
        "syntho_ray.k8s.data": {"syntho_ray.values.suggest", "syntho_ray.facts.guide"},
        "syntho_ray.values.suggest": {"syntho_ray.values.model", "syntho_ray.errors"},
        "syntho_ray.cli": {"syntho_ray"},
    }
    assert upward_imports(graph) == ["syntho_ray.k8s.data -> syntho_ray.values.suggest"]


def test_the_readme_gives_the_layers_in_the_same_order() -> None:
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("Each layer imports only"))
    said = line.split(":", 1)[1].split("(")[0]
    tiers = [re.findall(r"`([a-z0-9_]+)(?:/|\.py)`", tier) for tier in said.split("→")]
    assert tuple(tuple(sorted(tier)) for tier in tiers) == tuple(
        tuple(sorted(names)) for names in LAYERS
    )


def test_the_1_14_layout_is_told_apart_by_its_models_own_keys() -> None:
    from syntho_ray.values.layouts import SHARED_KEYS, own_keys
    from syntho_ray.values.model114 import Values114

    keys = {field.alias or name for name, field in Values114.model_fields.items()}
    assert own_keys("1.14") == keys - SHARED_KEYS
