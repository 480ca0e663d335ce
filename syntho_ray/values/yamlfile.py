"""Reading a values file as Helm reads it: plain data, and file, line and column for every problem.

Two readers share YAML 1.1 as Helm's go-yaml types it. The quick one (`_quick_data`) takes
libyaml's events straight to data without keeping any position: a plain file, the common
case, is read at libyaml's speed. Whatever it does not handle (an anchor, an alias, a merge
key, a tag, a duplicate key, deep nesting, several documents, a syntax error) goes to the
careful one (`_careful`), which builds libyaml's node tree, keeps the line of every key and
says where each problem is. A `Document` read quickly finds a line when a problem in its
values needs one, by a pass over its events that keeps only the lines asked for.

Limits (README, "Limits"): at most MAX_DEPTH levels of nesting, and at most MAX_ALIAS_VALUES
values made by expanding aliases, so that a small file cannot expand without end.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events

from syntho_ray.errors import KeyPath, Problem, ValuesError
from syntho_ray.k8s.data import format_path

_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)
# go-yaml drops every `_` and then needs a digit after 0b or 0x: `0x_` is the text "0x_".
_INT = re.compile(
    r"^(?:[-+]?0b_*[0-1][0-1_]*|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)"
    r"|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*)$"
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
_Parser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", None)  # None without libyaml
MAX_DEPTH = 64  # levels of nesting under the top level
MAX_ALIAS_VALUES = 100_000  # values made by expanding aliases; a billion laughs stop here
_TOO_DEEP = f"too deeply nested (more than {MAX_DEPTH} levels)"


@dataclass
class Document:
    """A parsed values file (or `--set` argument): its data and the line of each key path."""

    name: str
    data: dict[str, Any]
    text: str = field(default="", repr=False)
    found_lines: dict[KeyPath, int] | None = field(default=None, repr=False)

    def lines_of(self, wanted: Collection[KeyPath]) -> dict[KeyPath, int]:
        """The 1-based line of each key path of `wanted` that is a key of this document.

        A file read quickly kept no lines: its text is read again for just these keys, as
        events, so that a problem in a large file costs a pass, not a node tree and the line
        of every key (several times the memory of its data).
        """
        if self.found_lines is None:
            return _key_lines(self.text, wanted)
        return {path: self.found_lines[path] for path in wanted if path in self.found_lines}


def parse(text: str, name: str) -> Document:
    """Parse one values file; raise ValuesError naming file, line and column."""
    data = _quick_data(text)
    if data is not None:
        return Document(name, data, text)
    return _careful(text, name)


# -- the quick reader: a plain file at libyaml's speed ---------------------------------------


class _Unusual(Exception):
    """What only the careful reader handles."""


class _Typing(yaml.resolver.Resolver):
    """The type of a plain scalar: the careful reader's resolvers, without a parser."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


_TYPING = _Typing()
_STR = "tag:yaml.org,2002:str"
_NONE = object()  # no key yet, or not typed yet


def _quick_data(text: str) -> dict[str, Any] | None:
    """The data of a plain values file, or None for what the careful reader must read."""
    if _Parser is None:  # PyYAML without libyaml
        return None
    parser = _Parser(text)
    try:
        return _from_events(parser.get_event, _Scalars())
    except (_Unusual, yaml.YAMLError):
        return None
    finally:
        parser.dispose()


class _Scalars:
    """Plain scalars typed as the careful reader types them, each distinct text once."""

    def __init__(self) -> None:
        self.typed: dict[str, Any] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def __call__(self, text: str) -> Any:
        value = self.typed.get(text, _NONE)
        if value is _NONE:
            value = self.typed[text] = self._type(text)
        return value

    def _type(self, text: str) -> Any:
        tag = _TYPING.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if tag == _STR:
            return text
        try:
            value = self.constructor.construct_object(yaml.ScalarNode(tag, text))
        except Exception:  # `<<` outside a key, `=`: the careful reader says why
            raise _Unusual from None
        if isinstance(value, str | int | float | bool | type(None)):
            return value
        return text  # timestamps stay the text the user wrote


def _from_events(next_event: Any, scalar: _Scalars) -> dict[str, Any] | None:
    """Data from libyaml's events: one document of mappings, lists and untagged scalars."""
    next_event()  # the stream's start
    if isinstance(next_event(), events.StreamEndEvent):
        return {}  # no document at all: an empty file
    root: Any = None
    container: Any = None  # the mapping or list being filled
    key: Any = _NONE  # in a mapping: the key read, waiting for its value
    outer: list[tuple[Any, Any]] = []  # the containers (and keys) around it
    while not isinstance(event := next_event(), events.DocumentEndEvent):
        kind = type(event)
        if kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
            container, key = outer.pop()
            continue
        if kind is events.AliasEvent or event.anchor is not None or event.tag is not None:
            raise _Unusual
        if kind is events.ScalarEvent:
            value = scalar(event.value) if event.implicit[0] else event.value
            if key is _NONE and type(container) is dict:
                key = _key(value, event.value, container)
                continue
        elif len(outer) >= MAX_DEPTH:
            raise _Unusual
        else:
            value = {} if kind is events.MappingStartEvent else []
        if container is None:
            root = value
        elif type(container) is list:
            container.append(value)
        elif key is _NONE:
            raise _Unusual  # a mapping or list as a key
        else:
            container[key] = value
            key = _NONE
        if kind is not events.ScalarEvent:
            outer.append((container, key))
            container, key = value, _NONE
    if not isinstance(next_event(), events.StreamEndEvent) or not isinstance(root, dict | None):
        raise _Unusual  # several documents, or not a mapping
    return root or {}


def _key_lines(text: str, wanted: Collection[KeyPath]) -> dict[KeyPath, int]:
    """The line of each key path of `wanted` in a file the quick reader read, from its events;
    keys typed as the readers type them, nothing kept but the answer."""
    found: dict[KeyPath, int] = {}
    parser, scalar = _Parser(text), _Scalars()
    path: list[str | int] = []  # the keys and indexes down to the container being read
    at: list[Any] = []  # per open container: its next key (_NONE: a key comes) or next index
    try:
        while wanted and not isinstance(event := parser.get_event(), events.StreamEndEvent):
            kind = type(event)
            if kind is events.ScalarEvent and at and at[-1] is _NONE:  # a key
                typed = scalar(event.value) if event.implicit[0] else event.value
                at[-1] = key = _key_text(typed, event.value)
                if (*path, key) in wanted:
                    found[(*path, key)] = event.start_mark.line + 1
                continue
            if kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                path += at[-1:]
                at.append(_NONE if kind is events.MappingStartEvent else 0)
                continue
            if kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                at.pop()
                del path[len(at) - 1 :]
            elif kind is not events.ScalarEvent:
                continue  # the stream's or the document's start or end
            if at:  # a value ended: the container's next key, or its next index
                at[-1] = at[-1] + 1 if isinstance(at[-1], int) else _NONE
    finally:
        parser.dispose()
    return found


def _key(value: Any, text: str, mapping: dict[str, Any]) -> str:
    """A mapping key as text; a duplicate or a merge key is for the careful reader."""
    key = _key_text(value, text)
    if key in mapping or key == "<<":
        raise _Unusual
    return key


def _key_text(value: Any, text: str) -> str:
    """A mapping key as both readers name it: the text of anything but a string or null."""
    return value if isinstance(value, str) else "null" if value is None else text


# -- the careful reader: lines kept, every problem located -----------------------------------


def _careful(text: str, name: str) -> Document:
    """Parse one values file keeping every key's line; raise ValuesError naming each problem."""
    _refuse_deep(text, name)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ValuesError([_syntax_problem(name, exc, text)]) from None
    except yaml.YAMLError as exc:
        raise ValuesError([Problem(name, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        return Document(name, {}, text, {})
    builder = _Builder(name)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise ValuesError(builder.problems)
    if data is None:
        return Document(name, {}, text, {})
    if not isinstance(data, dict):
        message = "the top level must be a mapping of keys to values"
        raise ValuesError([_problem(name, node.start_mark, "", message)])
    return Document(name, data, text, builder.lines)


def _refuse_deep(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before the composer recurses into it.

    The composer is recursive: `[[[[...` nested a hundred thousand times overflows libyaml's C
    stack (or PyYAML's recursion limit, without libyaml). The parser's events come without
    recursion; syntax errors are left for the composer to report.
    """
    parser = (_Parser or yaml.SafeLoader)(text)  # both parse without recursion
    depth = 0
    try:
        while not isinstance(event := parser.get_event(), events.StreamEndEvent):
            if isinstance(event, events.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:  # the top level is the first
                    raise ValuesError([_problem(name, event.start_mark, "", _TOO_DEEP)])
            elif isinstance(event, events.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def _problem(name: str, mark: Any, path: str, message: str) -> Problem:
    if mark is None:
        return Problem(name, path, message)
    return Problem(name, path, message, line=mark.line + 1, column=mark.column + 1)


def _syntax_problem(name: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    """The problem to report: where a quote was left open, else where the parser stopped."""
    from syntho_ray.values.quotes import unclosed_quote

    stopped = exc.problem_mark
    if "exceeded maximum nesting depth" in (exc.problem or ""):  # libyaml's own limit (6.0.4+)
        return _problem(name, stopped, "", _TOO_DEEP)
    opened = unclosed_quote(text, stopped.line) if stopped is not None else None
    if opened is not None:
        return Problem(name, "", opened.message(), line=opened.line, column=opened.column)
    return _problem(name, stopped, "", _yaml_message(exc, text))


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
        self.open: set[int] = set()  # nodes being built: one seen again is a recursive alias
        self.built: set[int] = set()  # nodes built once: one seen again is an alias's copy
        self.copying = 0  # inside the copy an alias makes
        self.from_aliases = 0  # values made by expanding aliases
        self.sizes: dict[int, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: KeyPath, depth: int, at: Any = None) -> Any:
        """The data of `node` at `path`; `at`: where it is used (an alias: not where it is)."""
        if id(node) in self.open:
            self._fail(
                node, path, "a recursive alias (an anchor used inside itself), nested without end"
            )
        if depth > MAX_DEPTH:
            self._fail(node, path, _TOO_DEEP)
        again = id(node) in self.built
        if again and not self.copying:
            self._count_alias(node, path, at)
        self.built.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        self.open.add(id(node))
        self.copying += again
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, depth)
            return [
                self.build(item, (*path, i), depth + 1, node.start_mark)
                for i, item in enumerate(node.value)
            ]
        finally:
            self.open.discard(id(node))
            self.copying -= again

    def _count_alias(self, node: yaml.Node, path: KeyPath, at: Any) -> None:
        """Count the values an alias makes; refuse the alias that would make too many."""
        self.from_aliases += self._size(node)
        if self.from_aliases > MAX_ALIAS_VALUES:
            message = f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (the limit)"
            problem = _problem(self.name, at or node.start_mark, format_path(path), message)
            raise ValuesError([*self.problems, problem])

    def _size(self, node: yaml.Node) -> int:
        """How many values a node stands for, its aliases expanded (memoised)."""
        size = self.sizes.get(id(node))
        if size is None:
            self.sizes[id(node)] = 0  # a node inside itself: `build` reports it
            children = [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else []
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            size = self.sizes[id(node)] = 1 + sum(self._size(child) for child in children)
        return size

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
            result[key] = self.build(value_node, (*path, key), depth + 1, key_node.start_mark)
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
