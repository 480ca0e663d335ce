"""The quick values reader gives exactly what the careful one gives, or leaves the file to it.

`_quick_data` reads a plain file from libyaml's events; anything else goes to `_careful`, which
keeps lines and locates problems. Here: both on every values file of ../shared, on generated
texts full of scalars that YAML 1.1 types (`yes`, `0x1F`, `1e3`, `~`, dates), and on each thing
the quick reader leaves to the careful one. Also: lines are found only when asked for (then
as the careful reader finds them), and the limits count what they say (a plain file is never
refused for its number of values).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syntho_ray import ValuesError
from syntho_ray.values import yamlfile
from syntho_ray.values.yamlfile import MAX_ALIAS_VALUES, MAX_DEPTH, _careful, _quick_data, parse

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
VALUES_FILES = sorted(
    [*SHARED.glob("reference/**/cases/*.yaml"), *SHARED.glob("reference/**/chart-values.yaml")]
)


def _same(quick: Any, careful: Any) -> bool:
    """Equal, with the same types and the same key order throughout (nan equals nan)."""
    if type(quick) is not type(careful):
        return False
    if isinstance(quick, dict):
        return list(quick) == list(careful) and all(_same(quick[k], careful[k]) for k in quick)
    if isinstance(quick, list):
        return len(quick) == len(careful) and all(map(_same, quick, careful))
    if isinstance(quick, float) and math.isnan(quick):
        return math.isnan(careful)
    return bool(quick == careful)


def _careful_or_error(text: str) -> Any:
    try:
        return _careful(text, "values.yaml").data
    except ValuesError as exc:
        return exc


@pytest.mark.skipif(not VALUES_FILES, reason="../shared is not there")
@pytest.mark.parametrize("path", VALUES_FILES, ids=lambda p: str(p.relative_to(SHARED)))
def test_every_shared_values_file_is_read_quickly_and_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    quick = _quick_data(text)
    assert quick is not None, "a plain values file should not need the careful reader"
    careful = _careful(text, path.name)
    assert _same(quick, careful.data)
    assert _same_lines(text, careful)


# Plain scalars YAML 1.1 and go-yaml type in different ways, and some that only look typed.
TOKENS = [
    *("yes", "No", "ON", "off", "true", "False", "y", "n", "~", "null", "Null", "NULL"),
    *("0", "-0", "+1", "007", "0o7", "0x1F", "0b101", "1_000", "190:20:30", "1e3", "1E-3"),
    *("0x_", "-0b_", "0x_1", "0_"),
    *("-1.5", "+.5", "6.", ".inf", "-.Inf", ".NaN", ".nan", "1.0e+3", "0.1.2", "1__0"),
    *("2001-12-14", "2001-12-14t21:59:43.10-05:00", "12:30", "v1.2.3", "1Gi", "500m"),
    *("=", "<<", "a b", "ray-head", "#", "-", "?", "!", "%x", "@x", "`x", "a:b", "a: b"),
]
token = st.one_of(st.sampled_from(TOKENS), st.text("abcxyz019.-_+:e ", min_size=1, max_size=6))


def _plain(text: str) -> str:
    """A scalar written plain when YAML allows it, quoted otherwise (then it is a string)."""
    unsafe = text != text.strip() or text[0] in "-?:,[]{}#&*!|>'\"%@`" or ": " in text
    unsafe = unsafe or " #" in text or text.endswith(":")
    return "'" + text.replace("'", "''") + "'" if unsafe else text


tree = st.recursive(
    token,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(token, inner, min_size=1, max_size=4)
    ),
    max_leaves=12,
)


def _block(data: Any, indent: str = "") -> list[str]:
    """Block-style YAML text for `data`, every scalar written as `_plain` writes it."""
    if isinstance(data, dict):
        lines: list[str] = []
        for key, value in data.items():
            lines += _entry(f"{indent}{_plain(key)}:", value, indent + "  ")
        return lines
    lines = []
    for item in data:
        lines += _entry(f"{indent}-", item, indent + "  ")
    return lines


def _entry(head: str, value: Any, indent: str) -> list[str]:
    if isinstance(value, str):
        return [f"{head} {_plain(value)}"]
    if not value:
        return [f"{head} {'{}' if isinstance(value, dict) else '[]'}"]
    return [head, *_block(value, indent)]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(token, tree, min_size=1, max_size=5))
def test_generated_files_read_quickly_as_the_careful_reader_reads_them(data: Any) -> None:
    text = "\n".join(_block(data)) + "\n"
    quick = _quick_data(text)
    careful = _careful_or_error(text)
    if quick is not None:  # what the quick reader reads, it reads alike; else it defers
        assert not isinstance(careful, ValuesError), careful
        assert _same(quick, careful)
        assert _same_lines(text, _careful(text, "values.yaml"))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # an anchor and an alias
        "a: {p: 1}\nb:\n  <<: {q: 2}\n",  # a merge key
        "a: !!str 1\n",  # a tag
        "a: 1\na: 2\n",  # a duplicate key
        "a: 1\n---\nb: 2\n",  # two documents
        "- 1\n",  # not a mapping
        "a: b: c\n",  # a syntax error
        "a: 'open\n",  # an unterminated quote
        "? [1, 2]\n: x\n",  # a list as a key
        "a: =\n",  # a scalar YAML cannot type here
        "a: 2001-13-45\n",  # a date by its form, but no date
        "a: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n",  # too deep
    ],
)
def test_what_the_quick_reader_leaves_to_the_careful_one(text: str) -> None:
    assert _quick_data(text) is None


@pytest.mark.parametrize("text", ["", "# only a comment\n", "~\n", "---\n", "---\n...\n"])
def test_an_empty_file_is_no_values_for_both_readers(text: str) -> None:
    assert _quick_data(text) == {} == _careful(text, "values.yaml").data


def test_lines_are_found_only_when_a_problem_asks_for_them(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "head:\n  labels:\n    team: data\nworker:\n  replicas: 2\n  ports:\n  - name: x\n"
    calls: list[str] = []
    monkeypatch.setattr(yamlfile, "_careful", lambda text, name: calls.append(name))
    document = parse(text, "values.yaml")
    wanted = {("head", "labels", "team"), ("worker",), ("worker", "ports", 0, "name"), ("nope",)}
    assert document.lines_of(wanted) == {
        ("head", "labels", "team"): 3,
        ("worker",): 4,
        ("worker", "ports", 0, "name"): 7,
    }
    assert document.lines_of(set()) == {}
    assert calls == []  # a pass over the events for the keys asked, never the careful reader


def _same_lines(text: str, careful: yamlfile.Document) -> bool:
    """The quick document's lines, asked for every key and a few that are not there, are the
    careful reader's."""
    quick = parse(text, "values.yaml")
    assert quick.found_lines is None, "read quickly"
    everywhere = _all_paths(careful.data)
    absent = {("absent",), *((*path, "absent") for path in everywhere)}
    return quick.lines_of(everywhere | absent) == careful.found_lines


def _all_paths(data: Any, prefix: tuple[str | int, ...] = ()) -> set[tuple[str | int, ...]]:
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    found = {prefix} if prefix else set()
    for key, value in items:
        found |= _all_paths(value, (*prefix, key))
    return found


def test_a_plain_file_of_many_values_is_read_by_both_readers() -> None:
    """The number of values written in a file is not limited; only what aliases make is."""
    count = MAX_ALIAS_VALUES + 20_000
    text = "items:\n" + "".join(f"- {i}\n" for i in range(count))
    assert len(parse(text, "values.yaml").data["items"]) == count
    assert len(_careful(text, "values.yaml").data["items"]) == count


def test_aliases_are_counted_by_the_values_they_make() -> None:
    block = "{" + ", ".join(f"k{i}: v" for i in range(99)) + "}"  # 100 values with the mapping
    uses = MAX_ALIAS_VALUES // 100
    fits = f"a: &a {block}\nb: [{', '.join(['*a'] * uses)}]\n"
    assert len(parse(fits, "values.yaml").data["b"]) == uses
    too_many = f"a: &a {block}\nb: [{', '.join(['*a'] * (uses + 1))}]\n"
    with pytest.raises(ValuesError) as caught:
        parse(too_many, "values.yaml")
    [problem] = caught.value.problems
    assert problem.message == f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (the limit)"
    assert (problem.path, problem.line) == (f"b[{uses}]", 2)


def _nested(style: str, levels: int) -> str:
    """A value nested `levels` deep under the top-level mapping, in flow or block style."""
    if style == "flow":
        return "a: " + "[" * levels + "]" * levels + "\n"
    keys = "".join(f"{' ' * i}k{i}:\n" for i in range(levels - 1))
    return keys + " " * (levels - 1) + "leaf: 1\n"  # the leaf's value is the deepest


@pytest.mark.parametrize("style", ["flow", "block"])
def test_nesting_is_refused_past_the_limit_with_its_place(style: str) -> None:
    parse(_nested(style, MAX_DEPTH), "values.yaml")
    with pytest.raises(ValuesError) as caught:
        parse(_nested(style, MAX_DEPTH + 1), "values.yaml")
    [problem] = caught.value.problems
    assert problem.message == f"too deeply nested (more than {MAX_DEPTH} levels)"
    assert problem.line == (1 if style == "flow" else MAX_DEPTH + 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0x_", "0x_"), ("+0x__", "+0x__"), ("0b_", "0b_"), ("0x_1F", 31), ("-0b_1", -1), ("0_", 0)],
)
def test_a_base_prefix_without_digits_is_text_as_in_go_yaml(text: str, value: Any) -> None:
    """Found by the generated files: `0x_` made the quick reader raise ValueError.

    go-yaml drops every `_`, then `0x` alone is no number, so it is the text as written.
    """
    document = f"{text}: 1\nk: {text}\na: [{text}]\n"
    expected = {text: 1, "k": value, "a": [value]}  # a key is the text as written
    assert _same(_quick_data(document), expected)
    assert _same(_careful(document, "values.yaml").data, expected)
