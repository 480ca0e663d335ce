"""Reading a values file: plain data plus the line of every key, with clear errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from syntho_ray.errors import Problem, ValuesError
from syntho_ray.k8s.data import format_path

KeyPath = tuple[str | int, ...]
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
_INT = re.compile(
    r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"
)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 as Helm's go-yaml reads it: no base-60 numbers, `1e6` is a float."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))
MAX_NODES = 100_000  # after alias expansion; a billion-laughs file stops here
MAX_DEPTH = 64


@dataclass
class Document:
    """A parsed values file: its data and the 1-based line of each key path."""

    name: str
    data: dict[str, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)


def parse(text: str, name: str) -> Document:
    """Parse one values file; raise ValuesError naming file, line and column."""
    _refuse_deep_flow(text, name)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        problem = _problem(name, exc.problem_mark, "", _yaml_message(exc, text))
        raise ValuesError([problem]) from None
    except yaml.YAMLError as exc:
        raise ValuesError([Problem(name, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        return Document(name, {})
    builder = _Builder(name)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise ValuesError(builder.problems)
    if data is None:
        return Document(name, {})
    if not isinstance(data, dict):
        message = "the top level must be a mapping of keys to values"
        raise ValuesError([_problem(name, node.start_mark, "", message)])
    return Document(name, data, builder.lines)


def _refuse_deep_flow(text: str, name: str) -> None:
    """Refuse `[[[[...` nested deeper than MAX_DEPTH before the C parser overflows its stack."""
    depth = 0
    for line_number, line in enumerate(text.splitlines(), 1):
        for column, char in enumerate(line, 1):
            depth += (char in "[{") - (char in "]}")
            if depth > MAX_DEPTH:
                raise ValuesError(
                    [
                        Problem(
                            name,
                            "",
                            f"too deeply nested (more than {MAX_DEPTH} levels)",
                            line=line_number,
                            column=column,
                        )
                    ]
                )


def _problem(name: str, mark: Any, path: str, message: str) -> Problem:
    if mark is None:
        return Problem(name, path, message)
    return Problem(name, path, message, line=mark.line + 1, column=mark.column + 1)


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    context = exc.context or ""
    if (
        context
        and exc.context_mark is not None
        and exc.problem_mark is not None
        and (exc.context_mark.line != exc.problem_mark.line)
    ):
        context += f" (opened on line {exc.context_mark.line + 1})"
    problem = exc.problem or ""
    mark = exc.problem_mark
    if "cannot start any token" in problem and mark is not None:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        if line[mark.column : mark.column + 1] == "\t":
            problem = "a tab character; YAML is indented with spaces only"
    return "invalid YAML: " + ", ".join(p for p in (context, problem) if p)


class _Builder:
    """Turns a YAML node tree into data, recording lines and refusing duplicates."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[Problem] = []
        self.nodes = 0
        self.open: set[int] = set()  # nodes being built: one seen again is a recursive alias
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        self.nodes += 1
        if id(node) in self.open:
            self._fail(
                node, path, "a recursive alias (an anchor used inside itself), nested without end"
            )
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            self._fail(
                node,
                path,
                f"too large or too deeply nested after expanding aliases "
                f"(over {MAX_NODES} values or {MAX_DEPTH} levels)",
            )
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth)
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        try:
            self.constructor.flatten_mapping(node)
        except yaml.YAMLError as exc:
            self._fail(node, path, f"a merge key (<<) needs a mapping or a list of them: {exc}")
        merged = len(node.value) - explicit  # entries a merge key brought in come first
        result: dict[str, Any] = {}
        written: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, yaml.ScalarNode):
                self._fail(key_node, path, "a key must be a plain scalar")
            key = self._scalar(key_node, path)
            key = key if isinstance(key, str) else ("null" if key is None else _text(key_node))
            if key in written:
                first = self.lines.get((*path, key))
                message = f"duplicate key (first set on line {first}); YAML keeps only one"
                self.problems.append(
                    _problem(self.name, key_node.start_mark, format_path((*path, key)), message)
                )
                continue
            if index >= merged:
                written.add(key)  # an explicit key overrides what a merge brought in
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.Node, path: KeyPath) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:
            tag = str(node.tag).rsplit(":", 1)[-1]
            self._fail(node, path, f"cannot read {str(node.value)!r} as {tag}")
        if isinstance(value, bytes):
            self._fail(node, path, "binary values are not supported")
        if not isinstance(value, str | int | float | bool | type(None)):
            return _text(node)  # timestamps and the like stay the text the user wrote
        return value

    def _fail(self, node: yaml.Node, path: KeyPath, message: str) -> Any:
        problem = _problem(self.name, node.start_mark, format_path(path), message)
        raise ValuesError([*self.problems, problem])


def _text(node: yaml.Node) -> str:
    return str(node.value)
