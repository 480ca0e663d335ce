"""Where a YAML error really began: a quoted value whose closing quote is missing.

YAML lets a quoted value run over several lines, so `cpu: "16` without its closing quote
swallows the lines after it up to the next quote, and the parser stops far below, often
with "did not find expected key". Only on that error path, the file is scanned again for a
quoted value that spans lines which look like `key: value`: that is where the quote opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_LOOKS_LIKE_A_KEY = re.compile(r"^\s*(?:-\s+)?[\w./-]+:(?:\s|$)", re.M)


@dataclass(frozen=True)
class UnclosedQuote:
    """A quoted value that opens on `line` (1-based) and probably should have closed there."""

    line: int
    column: int
    quote: str

    def message(self) -> str:
        """What to tell the user."""
        return (
            f"invalid YAML: the quoted value that starts here is never closed on its line "
            f"(probably a missing closing quote {self.quote})"
        )


_MAX_FLOW_DEPTH = 64  # deeper `[{` nesting is refused by itself; the scanner is slow on it


def unclosed_quote(text: str, stopped_at: int) -> UnclosedQuote | None:
    """The last quoted value before line `stopped_at` (0-based) that swallowed `key:` lines."""
    end = _end_of_line(text, stopped_at)
    text = text[:end]
    if ("'" not in text and '"' not in text) or _flow_depth(text) > _MAX_FLOW_DEPTH:
        return None
    found: UnclosedQuote | None = None
    scanner = yaml.SafeLoader(text)
    try:
        while (token := scanner.get_token()) is not None:  # type: ignore[no-untyped-call]
            start, end = token.start_mark, token.end_mark
            if start.line > stopped_at:
                break
            quoted = isinstance(token, yaml.ScalarToken) and token.style in ("'", '"')
            if quoted and end.line > start.line and _swallowed_keys(text, start.index, end.index):
                found = UnclosedQuote(start.line + 1, start.column + 1, token.style)
    except yaml.MarkedYAMLError as error:
        opened = error.context_mark
        if error.context == "while scanning a quoted scalar" and opened is not None:
            quote = text[opened.index] if opened.index < len(text) else '"'
            return UnclosedQuote(opened.line + 1, opened.column + 1, quote)
    finally:
        scanner.dispose()
    return found


def _swallowed_keys(text: str, start: int, end: int) -> bool:
    first_break = text.find("\n", start, end)
    return first_break >= 0 and bool(_LOOKS_LIKE_A_KEY.search(text, first_break + 1, end))


def _end_of_line(text: str, line: int) -> int:
    """The index just past 0-based `line` (the whole text if it has fewer lines)."""
    index = -1
    for _ in range(line + 1):
        index = text.find("\n", index + 1)
        if index < 0:
            return len(text)
    return index + 1


def _flow_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest
