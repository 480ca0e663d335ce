"""The fast YAML writer gives PyYAML's text exactly, or leaves the document to PyYAML."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syntho_ray.output.fastyaml import block_yaml
from syntho_ray.output.stream import _Dumper, dump_yaml, pyyaml_text

TRICKY = [
    "",
    " ",
    "a ",
    " a",
    "-",
    "- a",
    "-a",
    "--watch-namespace=syntho",
    "---",
    "...",
    "a: b",
    "a:b",
    "a:",
    ":a",
    "?a",
    "? a",
    "#a",
    "a #b",
    "a#b",
    "true",
    "True",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "null",
    "~",
    "=",
    "<<",
    "1",
    "-1",
    "0o17",
    "0x1F",
    "1_000",
    "1:20",
    "1.5",
    ".5",
    "1e3",
    "1.0e+3",
    ".inf",
    ".NaN",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "0.0.0.0",
    "8000m",
    "32G",
    "/tmp/ray-workflows",
    "syntho.azurecr.io/syntho-ray:2.5.0",
    "a\tb",
    "a\nb",
    "a\nb ",
    "été",
    "\u2028",
    "\ufeff",
    "'quoted'",
    '"double"',
    "[x]",
    "{x}",
    "a,b",
    "*alias",
    "&anchor",
    "!tag",
    "|",
    ">",
    "%x",
    "@x",
    "`x`",
    "until nslookup $RAY_IP.$(cat /x/namespace).svc; do echo waiting; sleep 2; done",
    "x" * 200,
]
SCALARS = [*TRICKY, 0, 1, -1, 10**20, True, False, None, 0.0, -0.0, 1.5, -2.25, 1e20, float("inf")]


pyyaml = pyyaml_text  # the path output.py takes when block_yaml declines


def agrees(document: Any, *, start: bool = True) -> bool:
    """The fast text equals PyYAML's, when the fast writer takes the document at all."""
    fast = block_yaml(document, _Dumper, start=start)
    return fast is None or fast == pyyaml(document, start=start)


@pytest.mark.parametrize("value", SCALARS, ids=repr)
def test_every_tricky_scalar_as_a_value_an_item_and_a_key(value: Any) -> None:
    assert agrees({"key": value, "list": [value, {"inner": value}]})
    assert agrees({"a": {value: 1}} if isinstance(value, str | int) else {"a": 1}, start=False)


def test_layout_of_nested_maps_and_lists() -> None:
    document = {
        "a": [{"command": ["sh", "-c"]}, {"configMap": {"name": "x"}, "b": [], "c": {}}, {}],
        "k": {"z": [1, None, True], "empty": {}, "none": []},
    }
    fast = block_yaml(document, _Dumper, start=True)
    assert fast is not None
    assert fast == pyyaml(document)


def test_what_it_leaves_to_pyyaml() -> None:
    assert block_yaml({"a": [[1]]}, _Dumper, start=True) is None  # a list in a list
    assert block_yaml({"a": "two\nlines"}, _Dumper, start=True) is None  # a literal block
    assert block_yaml({1: "x"}, _Dumper, start=True) is None  # a key that is not a string
    assert block_yaml({"x" * 200: 1}, _Dumper, start=True) is None  # a `? key`
    assert block_yaml({}, _Dumper, start=True) is None


def test_dump_yaml_is_pyyaml_text_for_documents_either_way() -> None:
    documents = [{"kind": "A", "data": {"x": "two\nlines"}}, {"kind": "B", "list": [[1, 2]]}]
    assert dump_yaml(documents) == "".join(pyyaml(d) for d in documents)


_text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12))
_scalar = st.one_of(
    _text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False), st.just(0.5)
)
_documents = st.recursive(
    st.dictionaries(_text, _scalar, min_size=1, max_size=4),
    lambda inner: st.dictionaries(
        _text, st.one_of(_scalar, inner, st.lists(st.one_of(_scalar, inner), max_size=3))
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_documents, st.booleans())
def test_any_document_is_written_as_pyyaml_writes_it(document: dict[str, Any], start: bool) -> None:
    assert agrees(document, start=start)
