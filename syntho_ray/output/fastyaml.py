"""Block-style YAML for rendered documents, as PyYAML writes it, without PyYAML's per-node cost.

PyYAML builds a node for every value and asks its resolver about every scalar; for our
documents that was half of a render. `block_yaml` writes the same text directly for what
documents hold (mappings with string keys, lists, single-line scalars) and returns None for
anything else (a multi-line string, a list inside a list, an unusual key), which the caller
then gives to PyYAML. Scalars are written by PyYAML itself, with the caller's dumper, except
for the plain strings, integers, booleans and nulls whose form is certain; the text is
byte-identical either way (`tests/test_fastyaml.py` compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from syntho_ray.k8s.data import document_fields, model_fields, to_data

_STR = "tag:yaml.org,2002:str"
# Strings PyYAML writes plain in block context when its resolver reads them back as strings:
# no leading or trailing space, no indicator first, no ": " or " #", no line break, ASCII.
# Checked as character classes (`_is_plain`): a regular expression repeating alternatives
# keeps a backtracking mark per character, over a hundred bytes each for a long license.
_PLAIN_FIRST = re.compile(r"[\w./$(=+;~^]", re.ASCII)
_PLAIN_REST = re.compile(r"[\w./$()=+;,~^ :-]*", re.ASCII)
_LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_MAX_SIMPLE_KEY = 128  # PyYAML writes longer keys in the explicit `? key` form
_CACHE_SIZE = 4096
_CHUNK = 4096  # pieces of text joined at a time: a large document is not held as many pieces
_WRITTEN: dict[tuple[type, type, str], str | None] = {}  # (dumper, type, repr) -> text
_KEYS: dict[type, dict[str, str]] = {}  # dumper -> key -> text
_TEXTS: dict[type, dict[str, str]] = {}  # dumper -> string -> text


class _Unsupported(Exception):
    """Something this writer leaves to PyYAML."""


def block_yaml(document: Any, dumper: type[yaml.SafeDumper], *, start: bool) -> str | None:
    """`document` as `yaml.dump(..., Dumper=dumper)` writes it in block style, or None.

    Matches `default_flow_style=False, sort_keys=False, allow_unicode=True`, no line width,
    no aliases and `explicit_start=start`.
    """
    chunks = block_chunks(document, dumper, start=start)
    return None if chunks is None else "".join(chunks)


def block_chunks(document: Any, dumper: type[yaml.SafeDumper], *, start: bool) -> list[str] | None:
    """`block_yaml`'s text in parts of some hundred kilobytes, so that a large document is not
    held twice (in parts and joined); a typed object is written as its `to_document` data,
    which is never made (for a RayCluster of many worker groups, as large again as it)."""
    if isinstance(document, dict):
        return _Writer(dumper).chunks(document.items(), start=start) if document else None
    fields = document_fields(document)
    return _ObjectWriter(dumper).chunks(fields, start=start) if fields else None


class _Writer:
    def __init__(self, dumper: type[yaml.SafeDumper]) -> None:
        self.dumper = dumper
        self.out: list[str] = []  # the latest pieces of text
        self.written: list[str] = []  # the earlier ones, joined (fewer objects than the pieces)
        self.keys = _cache(_KEYS, dumper)
        self.texts = _cache(_TEXTS, dumper)

    def chunks(self, pairs: Iterable[tuple[Any, Any]], *, start: bool) -> list[str] | None:
        """The mapping of `pairs` as a document, or None if PyYAML must write it."""
        if start:
            self.out.append("---\n")
        try:
            self.mapping(pairs, 0, inline=False)
        except _Unsupported:
            return None
        return [*self.written, "".join(self.out)]

    def pairs(self, value: Any) -> Iterable[tuple[Any, Any]] | None:
        """The keys and values of `value` if it is written as a mapping, else None."""
        return value.items() if isinstance(value, dict) else None

    def mapping(self, pairs: Iterable[tuple[Any, Any]], indent: int, *, inline: bool) -> None:
        """Keys at `indent`; with `inline` the first key goes on the current line."""
        if len(self.out) >= _CHUNK:
            self.written.append("".join(self.out))
            self.out.clear()
        pad = " " * indent
        for key, value in pairs:
            head = f"{'' if inline else pad}{self.key(key)}:"
            inline = False
            inner = self.pairs(value)
            if inner:
                self.out.append(head + "\n")
                self.mapping(inner, indent + 2, inline=False)
            elif isinstance(value, list) and value:
                self.out.append(head + "\n")
                self.sequence(value, indent)  # PyYAML does not indent these
            else:
                self.out.append(f"{head} {self.scalar(value)}\n")

    def sequence(self, data: list[Any], indent: int) -> None:
        """Items at `indent`."""
        pad = " " * indent
        for item in data:
            if isinstance(item, list):
                raise _Unsupported
            inner = self.pairs(item)
            if inner:
                self.out.append(pad + "- ")
                self.mapping(inner, indent + 2, inline=True)
            else:
                self.out.append(f"{pad}- {self.scalar(item)}\n")

    def key(self, key: Any) -> str:
        """A key PyYAML writes as a simple `key:` on one line."""
        text = self.keys.get(key) if type(key) is str else None
        if text is None:
            if type(key) is not str or not key or len(key) >= _MAX_SIMPLE_KEY:
                raise _Unsupported
            if _LINE_BREAKS.search(key):
                raise _Unsupported
            text = self.keys[key] = self.scalar(key)
        return text

    def scalar(self, value: Any) -> str:
        """A scalar, or an empty mapping or list, as PyYAML writes it on one line."""
        kind = type(value)
        if kind is str:
            text = self.texts.get(value)
            if text is None:
                plain = _is_plain(value) and _resolves_to_str(value, self.dumper)
                text = self.texts[value] = value if plain else self.by_pyyaml(value)
            return text
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if value is None:
            return "null"
        if isinstance(value, dict | list):  # empty: the others are written as blocks
            return "[]" if isinstance(value, list) else "{}"
        return self.by_pyyaml(value)

    def by_pyyaml(self, value: Any) -> str:
        text = _written_by_pyyaml(self.dumper, value)
        if text is None:
            raise _Unsupported
        return text


class _ObjectWriter(_Writer):
    """Writes typed objects as `to_data(obj, sort_keys=True)` turns them into data: models'
    set fields and maps by sorted key, every other value as `to_data` gives it."""

    def pairs(self, value: Any) -> Iterable[tuple[Any, Any]] | None:
        if type(value) in _LEAVES:
            return None
        if isinstance(value, dict):
            return sorted(value.items(), key=_first)
        return model_fields(value)

    def scalar(self, value: Any) -> str:
        return super().scalar(value if type(value) in _LEAVES else to_data(value))


_LEAVES = frozenset({str, int, bool, float, type(None), list})  # as they are in data


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _cache(caches: dict[type, dict[str, str]], dumper: type) -> dict[str, str]:
    """The cache of `dumper` in `caches`, emptied when full."""
    cache = caches.setdefault(dumper, {})
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    return cache


def _is_plain(value: str) -> bool:
    """Whether PyYAML writes `value` as a plain scalar, if its resolver reads it as a string."""
    if not value or value.startswith(("---", "...")) or value.endswith((" ", ":")):
        return False
    first = bool(_PLAIN_FIRST.match(value)) or (value[:1] == "-" and value[1:2] not in ("", " "))
    return first and bool(_PLAIN_REST.fullmatch(value, 1)) and ": " not in value


def _resolves_to_str(value: str, dumper: type[yaml.SafeDumper]) -> bool:
    """Whether PyYAML's resolver reads `value`, written plain, back as a string."""
    resolvers = dumper.yaml_implicit_resolvers
    candidates = resolvers.get(value[0], []) + resolvers.get(None, [])
    return not any(pattern.match(value) for _, pattern in candidates)


def _written_by_pyyaml(dumper: type[yaml.SafeDumper], value: Any) -> str | None:
    """One scalar as PyYAML writes it in a block sequence, or None if it takes several lines."""
    key = (dumper, type(value), repr(value))  # not the value: 0.0 == -0.0, 1.0 == True
    if key in _WRITTEN:
        return _WRITTEN[key]
    text: str = yaml.dump(
        [value],
        Dumper=dumper,
        default_flow_style=False,
        allow_unicode=True,
        width=2**31 - 1,
    )
    single = text.startswith("- ") and text.endswith("\n") and not _LINE_BREAKS.search(text[:-1])
    if len(_WRITTEN) >= _CACHE_SIZE:
        _WRITTEN.clear()
    _WRITTEN[key] = written = text[2:-1] if single else None
    return written
