"""How Helm 3 combines chart values, re-implemented in Python.

The behaviour follows Helm v3 (checked against v3.21.4):

* ``-f/--values`` files are merged in order (``pkg/cli/values/options.go``, ``mergeMaps``);
* ``--set-json``, ``--set``, ``--set-string`` and ``--set-file`` are then applied, in that
  order, with the ``strvals`` mini-language (``pkg/strvals/parser.go``);
* the result is laid over the chart defaults (``pkg/chartutil/coalesce.go``).

One deliberate difference: where Helm deletes a default because the user set it to null, the
key is kept here with the value ``None``, so that a typed model sees an explicit "absent".
Sub-charts and ``global`` propagation are not modelled (the chart has no dependencies).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from syntho_ray.values.yamlfile import MAX_DEPTH

__all__ = [
    "SetSyntaxError",
    "apply_set",
    "coalesce",
    "combine",
    "merge_maps",
    "overlay",
    "set_keys",
]

SetKind = Literal["set", "set-string", "set-json", "set-file"]

#: Largest list index a ``--set`` path may use (Helm's ``strvals.MaxIndex``).
MAX_INDEX = 65536
#: Most dots a ``--set`` key may contain (Helm's ``strvals.MaxNestedNameLevel``).
MAX_NESTED_NAME_LEVEL = 30
MAX_JSON_DEPTH = MAX_DEPTH  # as deep as a values file may nest

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"[+-]?[0-9]+")
# Non-ASCII characters that Go's strings.EqualFold treats as equal to an ASCII letter.
_NON_ASCII_FOLDS = {"\u017f": "s", "\u212a": "k"}
_GO_SPACES = frozenset("\t\n\v\f\r \x85\xa0")


class SetSyntaxError(ValueError):
    """A --set style expression that cannot be parsed; str() names the expression and the problem."""  # noqa: E501

    def __init__(self, expression: str, problem: str, kind: str = "set") -> None:
        self.expression = expression
        self.problem = problem
        self.kind = kind
        super().__init__(f"invalid --{kind} expression {shown(expression)!r}: {problem}")

    def __reduce__(self) -> tuple[type[SetSyntaxError], tuple[str, str, str]]:
        return (type(self), (self.expression, self.problem, self.kind))


def shown(expression: str) -> str:
    """An expression as errors show it: its key, never its value (it may be the license)."""
    key, equals, _ = expression.partition("=")
    return f"{key}=..." if equals else expression


# --------------------------------------------------------------------------------------------
# Plain-data helpers
# --------------------------------------------------------------------------------------------


def _clone(value: Any) -> Any:
    """Deep copy of dicts and lists; never shares a container (unlike copy.deepcopy's memo)."""
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value


_Nested = TypeVar("_Nested", dict[str, Any], list[Any])


def _holding(existing: Any, kind: type[_Nested], what: str) -> _Nested:
    """`existing`, if it is a map (`kind` dict) or list (`kind` list) to set a value in."""
    if not isinstance(existing, kind):
        container = "map" if kind is dict else "list"
        raise _Problem(f"{what}: it holds {_type_name(existing)}, not a {container}")
    return existing


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    return f"a {type(value).__name__}"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# Merging
# --------------------------------------------------------------------------------------------


def _merge_into(target: dict[str, Any], override: dict[str, Any]) -> None:
    for key, new in override.items():
        old = target.get(key)
        if isinstance(new, dict) and isinstance(old, dict):
            _merge_into(old, new)
        else:
            target[key] = _clone(new)


def merge_maps(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps for several --values files: maps merge deeply, anything else (lists, scalars, None) in `override` replaces. Returns a new dict; inputs untouched."""  # noqa: E501
    result: dict[str, Any] = _clone(base)
    _merge_into(result, override)
    return result


def _overlaid(user: dict[str, Any], defaults: dict[str, Any], prefix: str) -> dict[str, Any]:
    """`user` over `defaults`: new maps where defaults are merged in, `user`'s own elsewhere."""
    result = dict(user)
    for key, default in defaults.items():
        path = f"{prefix}{key}"
        if key not in result:
            result[key] = _clone(default)
            continue
        given = result[key]
        if given is None:
            # Helm deletes the key here; None is our spelling of "absent".
            continue
        if isinstance(given, dict) and isinstance(default, dict):
            result[key] = _overlaid(given, default, f"{path}.")
        elif default is not None and isinstance(given, dict) != isinstance(default, dict):
            _warn(
                "value for %s is %s but the chart default is %s; keeping the user value",
                path,
                _type_name(given),
                _type_name(default),
            )
    return result


def _warn(text: str, *args: object) -> None:
    """A warning on this module's logger; `logging` is imported only when there is one."""
    import logging

    log = logging.getLogger(__name__)
    if not log.handlers:  # the values check reports the same problem, located
        log.addHandler(logging.NullHandler())
    log.warning(text, *args)


def coalesce(user: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """User values over chart defaults, like Helm's coalesceValues, with one deliberate representation change:
    where Helm DELETES a default key because the user set it to null, we keep the key with the value None
    (so a typed model downstream sees an explicit None = 'absent' instead of re-filling its default).
    Maps merge deeply; lists and scalars replace whole; a user null for a key with no default stays None;
    when default is a map and user gives a non-map (or vice versa), the user's value wins (Helm keeps the user value and warns).
    Returns a new dict; inputs untouched."""  # noqa: E501
    return _overlaid(_clone(user), defaults, "")


def overlay(user: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """`coalesce` without the copy of `user`: only the maps defaults are merged into are new,
    the rest is `user`'s own, to be read and never changed (so that a large values file is
    not held twice while it is validated)."""
    return _overlaid(user, defaults, "")


# --------------------------------------------------------------------------------------------
# The strvals mini-language
# --------------------------------------------------------------------------------------------


class _Problem(Exception):
    """Internal: a parse failure, turned into SetSyntaxError by apply_set."""


def _fold_equal(text: str, ascii_word: str) -> bool:
    """Case-insensitive equality with an ASCII word, the way Go's strings.EqualFold sees it."""
    if len(text) != len(ascii_word):
        return False
    for char, want in zip(text, ascii_word, strict=True):
        folded = char.lower() if char.isascii() else _NON_ASCII_FOLDS.get(char, char)
        if folded != want:
            return False
    return True


def _infer(text: str) -> Any:
    """Type inference for --set: booleans, null, and integers without a leading zero."""
    if _fold_equal(text, "true"):
        return True
    if _fold_equal(text, "false"):
        return False
    if _fold_equal(text, "null"):
        return None
    if text == "0":
        return 0
    if text and text[0] != "0" and _DECIMAL.fullmatch(text):
        number = int(text)
        if _INT64_MIN <= number <= _INT64_MAX:
            return number
    return text


def _is_go_space(char: str) -> bool:
    return char in _GO_SPACES or unicodedata.category(char) in ("Zs", "Zl", "Zp")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise ValueError(f"number {literal} is out of range")
    return number


def _bounded_int(literal: str) -> int:
    number = int(literal)
    float(number)  # Helm decodes JSON numbers as float64: OverflowError past its range
    return number


_JSON_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and maps nest more than `limit` levels in `value` (without recursion)."""
    level = [value]
    for _ in range(limit + 1):
        level = [
            item
            for node in level
            if isinstance(node, dict | list)
            for item in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return True


def _set_index(items: list[Any], index: int, value: Any) -> list[Any]:
    if index < 0:
        raise _Problem(f"negative list index {index} is not allowed")
    if index > MAX_INDEX:
        raise _Problem(f"list index {index} is greater than the maximum of {MAX_INDEX}")
    if len(items) <= index:
        items = items + [None] * (index + 1 - len(items))
    items[index] = value
    return items


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    # An empty key is silently ignored, as in Helm.
    if key:
        data[key] = value


class _Parser:
    """One pass over a strvals expression; methods return True once the input is used up."""

    def __init__(self, text: str, kind: SetKind, read_file: Callable[[str], str]) -> None:
        self._text = text
        self._pos = 0
        self._kind = kind
        self._read_file = read_file
        self._start = 0  # where the assignment being read began
        self.assigned: list[str] = []  # the key of each assignment read, as written

    def run(self, data: dict[str, Any]) -> None:
        while True:
            self._start = self._pos
            if self._key(data, 0):
                return

    def _assigning(self) -> None:
        """Note the key of the assignment whose `=` was just read."""
        self.assigned.append(self._text[self._start : self._pos - 1])

    # -- scanning -----------------------------------------------------------------------------

    def _at_end(self) -> bool:
        return self._pos >= len(self._text)

    def _scan_until(self, stops: str) -> tuple[str, str | None]:
        """Read up to the first unescaped stop character (consumed, returned) or the end (None).

        A backslash makes the next character literal; a lone trailing backslash is dropped.
        """
        text = self._text
        out: list[str] = []
        while self._pos < len(text):
            char = text[self._pos]
            self._pos += 1
            if char in stops:
                return "".join(out), char
            if char == "\\":
                if self._pos >= len(text):
                    break
                char = text[self._pos]
                self._pos += 1
            out.append(char)
        return "".join(out), None

    def _skip_blank_then_comma(self) -> bool:
        """Skip spaces; consume one comma. True when nothing else follows (a comma or the end)."""
        text = self._text
        while self._pos < len(text) and _is_go_space(text[self._pos]):
            self._pos += 1
        if self._pos >= len(text):
            return True
        if text[self._pos] == ",":
            self._pos += 1
            return True
        return False

    def _index(self) -> int:
        raw, stop = self._scan_until("]")
        if stop is None:
            raise _Problem("list index is missing its closing ']'")
        if not _DECIMAL.fullmatch(raw):
            raise _Problem(f"list index {_quote(raw)} is not an integer")
        index = int(raw)
        if not _INT64_MIN <= index <= _INT64_MAX:
            raise _Problem(f"list index {raw} is out of range")
        return index

    # -- right-hand sides ---------------------------------------------------------------------

    def _convert(self, raw: str) -> Any:
        if self._kind == "set":
            return _infer(raw)
        if self._kind == "set-file":
            return self._read_file(raw)
        return raw

    def _value(self) -> Any:
        if self._kind == "set-json":
            return self._json_value()
        if self._at_end():
            return ""
        if self._text[self._pos] != "{":
            raw, _ = self._scan_until(",")
            return self._convert(raw)
        self._pos += 1
        items: list[Any] = []
        while True:
            raw, stop = self._scan_until(",}")
            if stop is None:
                raise _Problem("list must terminate with '}'")
            items.append(self._convert(raw))
            if stop == "}":
                if not self._at_end() and self._text[self._pos] == ",":
                    self._pos += 1
                return items

    def _json_value(self) -> Any:
        if self._skip_blank_then_comma():
            return None
        start = self._pos
        try:
            value, end = _JSON_DECODER.raw_decode(self._text, start)
        except (ValueError, OverflowError) as exc:
            raise _Problem(f"invalid JSON value: {exc}") from None
        except RecursionError:
            value, end = None, -1
        if end < 0 or _deeper_than(value, MAX_JSON_DEPTH):
            raise _Problem(f"the JSON value is nested more than {MAX_JSON_DEPTH} levels deep")
        if isinstance(value, int | float) and not isinstance(value, bool) and end < len(self._text):
            # Python stops a number early where Go's decoder insists on more ("1." or "1e").
            literal = self._text[start:end].lower()
            following = self._text[end].lower()
            if (following == "." and not set(literal) & {".", "e"}) or (
                following == "e" and "e" not in literal
            ):
                raise _Problem("invalid JSON number: digits must follow '.' and 'e'")
        self._pos = end
        self._skip_blank_then_comma()
        return value

    # -- keys and list items ------------------------------------------------------------------

    def _key(self, data: dict[str, Any], level: int) -> bool:
        name, stop = self._scan_until("=[,.")
        if stop is None:
            if name:
                raise _Problem(f"key {_quote(name)} has no value")
            return True
        if stop == "=":
            self._assigning()
            if self._kind != "set-json" and self._at_end():
                # Helm reports "end of input" here, so an enclosing list item is not stored:
                # `a[0].b=` leaves `a` as an empty list.
                _put(data, name, "")
                return True
            _put(data, name, self._value())
            return False
        if stop == ",":
            raise _Problem(f"key {_quote(name)} has no value (cannot end with ,)")
        if stop == "[":
            index = self._index()
            items: list[Any] = []
            if name in data:
                existing = data[name]
                if not isinstance(existing, list):
                    raise _Problem(
                        f"cannot index {_quote(name)}: it holds {_type_name(existing)}, not a list"
                    )
                items = existing
            items, done = self._list_item(items, index, level)
            _put(data, name, items)
            return done
        # stop == "."
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise _Problem(f"key is nested more than the maximum of {MAX_NESTED_NAME_LEVEL} levels")
        inner: dict[str, Any] = {}
        if name in data:
            inner = _holding(data[name], dict, f"cannot set a field of {_quote(name)}")
        done = self._key(inner, level)
        if not done and not inner:
            raise _Problem(f"key map {_quote(name)} has no value")
        if inner:
            _put(data, name, inner)
        return done

    def _list_item(self, items: list[Any], index: int, level: int) -> tuple[list[Any], bool]:
        if index < 0:
            raise _Problem(f"negative list index {index} is not allowed")
        rest, stop = self._scan_until("[.=")
        if rest:
            raise _Problem(f"unexpected data after list index: {_quote(rest)}")
        if stop is None:
            return items, True
        if stop == "=":
            self._assigning()
            return _set_index(items, index, self._value()), False
        if stop == "[":
            inner_index = self._index()
            current: list[Any] = []
            if index < len(items) and items[index] is not None:
                current = _holding(items[index], list, f"cannot index list item {index}")
            nested, done = self._list_item(current, inner_index, level)
            if done:
                return items, True
            return _set_index(items, index, nested), False
        # stop == "."
        inner: dict[str, Any] = {}
        if index < len(items):
            existing = items[index]
            if isinstance(existing, dict):
                inner = existing
            else:
                items[index] = inner
        if self._key(inner, level):
            return items, True
        return _set_index(items, index, inner), False


def _read_text_file(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def apply_set(
    values: dict[str, Any],
    expression: str,
    *,
    kind: Literal["set", "set-string", "set-json", "set-file"],
    read_file: Callable[[str], str] | None = None,
) -> None:
    """Apply one --set/--set-string/--set-json/--set-file argument to `values` in place, exactly as Helm's strvals does:
    comma-separated assignments (`a=1,b=2`), dotted paths, list indexes `a[0].b=x` (lists grow, filled with None,
    Helm's index upper limit honoured), `{a,b}` list syntax for --set, backslash escapes (`\\,` `\\.` `\\=` `\\[`),
    type inference for --set (true/false/null case-insensitive -> bool/None, integers without leading zero -> int,
    '0' -> 0, everything else string; floats stay strings), --set-string never infers, --set-json parses the
    right-hand side as JSON (the key path syntax is the same; for set-json the whole RHS is one JSON value),
    --set-file: right-hand side is a path; read_file(path) gives the string value.
    A value of null (None) is stored as None (later coalesce turns it into 'absent').
    Raises SetSyntaxError with a clear message (quote the expression) on bad syntax, e.g. 'a.b' with no '=',
    an unterminated '[', a non-integer index, an index over the limit, invalid JSON.

    Notes: on error `values` is left unchanged (Helm discards everything anyway). Setting a path
    through an existing value of the wrong type (`a.b=1` when `a` is null, a list or a scalar)
    is an error, as in Helm. read_file defaults to reading a local UTF-8 file; its exceptions
    propagate unchanged. --set-json numbers keep Python's int/float distinction."""  # noqa: E501
    if kind not in ("set", "set-string", "set-json", "set-file"):
        raise ValueError(f"unknown kind {kind!r}")
    work: dict[str, Any] = _clone(values)
    parser = _Parser(expression, kind, read_file or _read_text_file)
    try:
        parser.run(work)
    except _Problem as exc:
        raise SetSyntaxError(expression, str(exc), kind) from None
    values.clear()
    values.update(work)


def set_keys(expression: str, kind: SetKind) -> list[str]:
    """The keys an argument assigns, as written, never their values (`a=1,b.c[0]=x` -> `a`,
    `b.c[0]`): read by the parser `apply_set` uses, reading no file; where the syntax breaks,
    the keys before it."""
    parser = _Parser(expression, kind, lambda _: "")
    with contextlib.suppress(_Problem):
        parser.run({})
    return parser.assigned


def combine(
    defaults: dict[str, Any],
    files: Sequence[dict[str, Any]],
    *,
    set_json: Sequence[str] = (),
    set_values: Sequence[str] = (),
    set_string: Sequence[str] = (),
    set_file: Sequence[str] = (),
    read_file: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """Everything Helm does: merge the files in order with merge_maps, then apply --set-json, --set, --set-string, --set-file in Helm's order (check MergeValues for the exact order of the kinds), then coalesce over defaults."""  # noqa: E501
    user: dict[str, Any] = {}  # our own: merged into and set in place, never a file's data
    for document in files:
        _merge_into(user, document)
    steps: tuple[tuple[SetKind, Sequence[str]], ...] = (
        ("set-json", set_json),
        ("set", set_values),
        ("set-string", set_string),
        ("set-file", set_file),
    )
    for kind, expressions in steps:
        for expression in expressions:
            apply_set(user, expression, kind=kind, read_file=read_file)
    return _overlaid(user, defaults, "")
