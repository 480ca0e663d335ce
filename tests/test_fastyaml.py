"""The fast YAML writer gives PyYAML's text exactly, or leaves the document to PyYAML."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.schema_check import shared_or_skip

from syntho_ray import ValuesInput, load_values
from syntho_ray.k8s import client
from syntho_ray.k8s.data import to_document
from syntho_ray.output.fastyaml import block_chunks, block_yaml
from syntho_ray.output.stream import _Dumper, document_text, dump_yaml, pyyaml_text
from syntho_ray.render import build_objects

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


def test_a_large_document_is_written_in_several_chunks_of_the_same_text() -> None:
    document = {"items": [{"name": f"item-{i}", "value": i} for i in range(5000)]}
    chunks = block_chunks(document, _Dumper, start=True)
    assert chunks is not None and len(chunks) > 2
    assert "".join(chunks) == pyyaml(document)


@pytest.mark.parametrize("layout", ["cases", "chart-1.14/cases"])
def test_a_rendered_object_is_written_as_its_document(layout: str) -> None:
    cases = sorted((shared_or_skip() / "reference" / layout).glob("*.yaml"))
    assert cases
    for case in cases:
        for obj in build_objects(load_values(ValuesInput(files=[str(case)]))):
            assert document_text(obj) == document_text(to_document(obj)), (case.name, obj.kind)


def test_an_object_with_what_only_pyyaml_writes_is_written_as_its_document() -> None:
    meta = client.V1ObjectMeta(name="x", labels={"b": "1", "a": "2"}, annotations={})
    container = client.V1Container(name="c", security_context=client.V1SecurityContext())
    objects = [
        client.V1ConfigMap(api_version="v1", kind="ConfigMap", metadata=meta, data={"z": "2\n"}),
        client.V1Pod(
            api_version="v1",
            kind="Pod",
            metadata=meta,
            spec=client.V1PodSpec(containers=[container], node_selector={"z": "1", "a": None}),
        ),
        client.V1Pod(),
    ]
    for obj in objects:
        for start in (True, False):
            assert document_text(obj, start=start) == pyyaml(to_document(obj), start=start)
    assert block_chunks(objects[0], _Dumper, start=True) is None  # a literal block
    assert block_chunks(objects[1], _Dumper, start=True) is not None
