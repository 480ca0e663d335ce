"""Tests for the Helm 3 values re-implementation (syntho_ray.helm_values).

Many parser cases are ported (reworded) from Helm's pkg/strvals/parser_test.go; the rest pin
down behaviour read from pkg/strvals/parser.go, pkg/cli/values/options.go and
pkg/chartutil/coalesce.go.
"""

from __future__ import annotations

import copy
import json
import logging
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syntho_ray.values.helm import (
    SetSyntaxError,
    apply_set,
    coalesce,
    combine,
    merge_maps,
    set_keys,
    shown,
)

Kind = Any  # the Literal kind; kept loose so parametrized tables stay readable


def parse(expression: str, kind: Kind = "set", **kwargs: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    apply_set(values, expression, kind=kind, **kwargs)
    return values


# --------------------------------------------------------------------------------------------
# --set: the strvals grammar with type inference
# --------------------------------------------------------------------------------------------

SET_CASES: list[tuple[str, dict[str, Any]]] = [
    # plain assignments and separators
    ("name1=value1", {"name1": "value1"}),
    ("name1=value1,name2=value2", {"name1": "value1", "name2": "value2"}),
    ("name1=value1,name2=value2,", {"name1": "value1", "name2": "value2"}),
    ("name1=,name2=value2", {"name1": "", "name2": "value2"}),
    ("a=", {"a": ""}),
    (
        "name1=one two three,name2=three two one",
        {"name1": "one two three", "name2": "three two one"},
    ),
    ("a=b=c", {"a": "b=c"}),
    ("url=http://example.com/x.y?q=1", {"url": "http://example.com/x.y?q=1"}),
    ("a=1,a=2", {"a": 2}),
    # type inference
    ("name1=null,f=false,t=true", {"name1": None, "f": False, "t": True}),
    ("a=TRUE", {"a": True}),
    ("a=tRuE", {"a": True}),
    ("a=False", {"a": False}),
    ("a=NULL", {"a": None}),
    ("a=Nil", {"a": "Nil"}),
    ("a=yes", {"a": "yes"}),
    ("a=fal\u017fe", {"a": False}),  # Go's EqualFold folds U+017F LONG S to 's'
    ("zero_int=0", {"zero_int": 0}),
    ("long_int=1234567890", {"long_int": 1234567890}),
    ("a=-12", {"a": -12}),
    ("a=+7", {"a": 7}),
    ("a=-0", {"a": 0}),
    ("a=-012", {"a": -12}),  # only a leading '0' character blocks integer parsing
    ("leading_zeros=00009", {"leading_zeros": "00009"}),
    ("a=0123", {"a": "0123"}),
    ("a=00", {"a": "00"}),
    ("a=1.5", {"a": "1.5"}),
    ("a=1e3", {"a": "1e3"}),
    ("a=0x1F", {"a": "0x1F"}),
    ("a=1_000", {"a": "1_000"}),
    ("a= 1", {"a": " 1"}),
    ("a=9223372036854775807", {"a": 9223372036854775807}),
    ("a=9223372036854775808", {"a": "9223372036854775808"}),
    ("a=-9223372036854775808", {"a": -9223372036854775808}),
    # backslash escapes
    ("name1=one\\,two,name2=three\\,four", {"name1": "one,two", "name2": "three,four"}),
    ("name1=one\\=two,name2=three\\=four", {"name1": "one=two", "name2": "three=four"}),
    ("a\\.b=c", {"a.b": "c"}),
    ("a\\=b=c", {"a=b": "c"}),
    ("a\\[0\\]=x", {"a[0]": "x"}),
    ("a\\,b=c", {"a,b": "c"}),
    ("a=b\\\\c", {"a": "b\\c"}),
    ("a=\\{x\\,y}", {"a": "{x,y}"}),
    ("a=trailing\\", {"a": "trailing"}),
    ("a=\\true", {"a": True}),  # escapes are removed before type inference
    ("a[\\1]=x", {"a": [None, "x"]}),
    # dotted paths
    ("outer.inner=value", {"outer": {"inner": "value"}}),
    ("outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}}),
    (
        "outer.inner1=value,outer.inner2=value2",
        {"outer": {"inner1": "value", "inner2": "value2"}},
    ),
    (
        "outer.inner1=value,outer.middle.inner=value",
        {"outer": {"inner1": "value", "middle": {"inner": "value"}}},
    ),
    ("name1.name2=", {"name1": {"name2": ""}}),
    ("a.b=1,a=2", {"a": 2}),
    # {a,b} list syntax
    ("name1={value1,value2}", {"name1": ["value1", "value2"]}),
    (
        "name1={value1,value2},name2={value1,value2}",
        {"name1": ["value1", "value2"], "name2": ["value1", "value2"]},
    ),
    ("name1={1021,902}", {"name1": [1021, 902]}),
    ("name1.name2={value1,value2}", {"name1": {"name2": ["value1", "value2"]}}),
    ("list={a,b,c}", {"list": ["a", "b", "c"]}),
    ("a={true,null,0,007}", {"a": [True, None, 0, "007"]}),
    ("a={}", {"a": [""]}),
    ("a={x,}", {"a": ["x", ""]}),
    ("a={1,2},b=3", {"a": [1, 2], "b": 3}),
    ("a={x.y=z}", {"a": ["x.y=z"]}),
    ("a=x{y", {"a": "x{y"}),
    # list indexes
    ("list[0]=foo", {"list": ["foo"]}),
    ("list[0].foo=bar", {"list": [{"foo": "bar"}]}),
    ("list[0].foo=bar,list[0].hello=world", {"list": [{"foo": "bar", "hello": "world"}]}),
    ("list[0]=foo,list[1]=bar", {"list": ["foo", "bar"]}),
    ("list[0]=foo,list[1]=bar,", {"list": ["foo", "bar"]}),
    ("list[0]=foo,list[3]=bar", {"list": ["foo", None, None, "bar"]}),
    ("list[2]=x", {"list": [None, None, "x"]}),
    ("noval[0]=", {"noval": [""]}),
    ("nested[0][0]=1", {"nested": [[1]]}),
    ("nested[1][1]=1", {"nested": [None, [None, 1]]}),
    ("a[0][1]=x", {"a": [[None, "x"]]}),
    ("a[1].b=c", {"a": [None, {"b": "c"}]}),
    ("a[0][0][0]=deep", {"a": [[["deep"]]]}),
    ("a[0]={x,y}", {"a": [["x", "y"]]}),
    ("a[0]=1,a[0]=2", {"a": [2]}),
    ("a[007]=x", {"a": [None] * 7 + ["x"]}),
    ("a[+1]=x", {"a": [None, "x"]}),
    ("a[0].b[1].c=d", {"a": [{"b": [None, {"c": "d"}]}]}),
    (
        "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
        {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}},
    ),
    (
        "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
        {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}},
    ),
    ("name1.name2[1].foo=bar", {"name1": {"name2": [None, {"foo": "bar"}]}}),
    ("a[0]=1,a[0].b=2", {"a": [{"b": 2}]}),  # a non-map item is replaced by a map
    # inputs that Helm silently accepts without setting anything useful
    ("", {}),
    ("=x", {}),
    ("=x,b=1", {"b": 1}),
    (".a=1", {}),
    ("a.", {}),
    ("a.b.", {}),
    ("[0]=x", {}),
    ("noval[0]", {"noval": []}),
    ("nested[0][1]", {"nested": []}),
    ("a[0].", {"a": []}),
    ("a[0].=x", {"a": [{}]}),
    ("a[0].b=", {"a": []}),  # an empty value at the very end stops before storing the item
    ("a[0].b=,c=1", {"a": [{"b": ""}], "c": 1}),
    ("a={x}b=1", {"a": ["x"], "b": 1}),
]


@pytest.mark.parametrize(("expression", "expected"), SET_CASES, ids=[c[0] for c in SET_CASES])
def test_set_parses_like_helm_strvals(expression: str, expected: dict[str, Any]) -> None:
    assert parse(expression) == expected


@pytest.mark.parametrize(
    ("expression", "kind", "keys"),
    [
        ("a=1,b.c=2", "set", ["a", "b.c"]),
        ("a={1,2},b[0].c=x", "set", ["a", "b[0].c"]),
        ("a\\,b=1,c=x\\,y", "set", ["a\\,b", "c"]),  # escaped commas: one key, one value
        ("a\\=b=secret", "set-string", ["a\\=b"]),  # an escaped '=' belongs to the key
        ('a={"b":1},c=2', "set-json", ["a", "c"]),
        ("a=1,b", "set", ["a"]),  # the keys before the syntax breaks
        ("license=/no/such/file", "set-file", ["license"]),  # no file is read
    ],
)
def test_set_keys_are_the_keys_the_parser_assigns(
    expression: str, kind: Kind, keys: list[str]
) -> None:
    assert set_keys(expression, kind) == keys


def test_set_accepts_the_maximum_list_index() -> None:
    values = parse("a[65536]=x")
    assert len(values["a"]) == 65537
    assert values["a"][-1] == "x"
    assert values["a"][0] is None


def test_set_accepts_thirty_nested_levels() -> None:
    key = ".".join(f"k{i}" for i in range(31))  # 30 dots
    node: Any = parse(f"{key}=v")
    for i in range(31):
        node = node[f"k{i}"]
    assert node == "v"


# --------------------------------------------------------------------------------------------
# --set-string, --set-json, --set-file
# --------------------------------------------------------------------------------------------

SET_STRING_CASES: list[tuple[str, dict[str, Any]]] = [
    ("long_int_string=1234567890", {"long_int_string": "1234567890"}),
    ("boolean=true", {"boolean": "true"}),
    ("is_null=null", {"is_null": "null"}),
    ("zero=0", {"zero": "0"}),
    ("a=1.5,b=0123", {"a": "1.5", "b": "0123"}),
    ("a={1,true,null}", {"a": ["1", "true", "null"]}),
    ("a[1]=2", {"a": [None, "2"]}),
    ("a.b=x\\,y", {"a": {"b": "x,y"}}),
    ("a=", {"a": ""}),
]


@pytest.mark.parametrize(
    ("expression", "expected"), SET_STRING_CASES, ids=[c[0] for c in SET_STRING_CASES]
)
def test_set_string_never_infers_types(expression: str, expected: dict[str, Any]) -> None:
    assert parse(expression, "set-string") == expected


SET_JSON_CASES: list[tuple[str, dict[str, Any]]] = [
    ("a=1", {"a": 1}),
    ('a="1"', {"a": "1"}),
    ("a=1.5", {"a": 1.5}),
    ("a=-2e3", {"a": -2000.0}),
    ("a=true", {"a": True}),
    ("a=null", {"a": None}),
    ("a=", {"a": None}),
    ("a=,b=2", {"a": None, "b": 2}),
    ("a=   ", {"a": None}),
    ("a=[1,2]", {"a": [1, 2]}),
    ('a={"b":{"c":[1,"x",null]}}', {"a": {"b": {"c": [1, "x", None]}}}),
    ('a="x,y"', {"a": "x,y"}),
    ('a="\\u00e9"', {"a": "é"}),
    ("a=1,b=2", {"a": 1, "b": 2}),
    ("a= 1 ,b=2", {"a": 1, "b": 2}),
    ("a=1, b=2", {"a": 1, " b": 2}),  # keys are not trimmed
    ('a=[1,2],b={"c":3}', {"a": [1, 2], "b": {"c": 3}}),
    ('a[1]={"x":1}', {"a": [None, {"x": 1}]}),
    ("a[0]=", {"a": [None]}),
    ("a.b[0][1]=[true]", {"a": {"b": [[None, [True]]]}}),
    ('a\\.b="v"', {"a.b": "v"}),
    ('a={"k":"v\\\\,w"}', {"a": {"k": "v\\,w"}}),  # no strvals escapes inside JSON
    ("a=truex=1", {"a": True, "x": 1}),
]


@pytest.mark.parametrize(
    ("expression", "expected"), SET_JSON_CASES, ids=[c[0] for c in SET_JSON_CASES]
)
def test_set_json_parses_right_hand_side_as_json(expression: str, expected: dict[str, Any]) -> None:
    assert parse(expression, "set-json") == expected


FILES = {"path1": "value1", "p,2": "comma", "cfg.yaml": "a: 1\n", "0": "zero"}

SET_FILE_CASES: list[tuple[str, dict[str, Any]]] = [
    ("name1=path1", {"name1": "value1"}),
    ("conf=cfg.yaml", {"conf": "a: 1\n"}),
    ("a=p\\,2", {"a": "comma"}),
    ("a=0", {"a": "zero"}),
    ("a={path1,0}", {"a": ["value1", "zero"]}),
    ("a[1]=path1", {"a": [None, "value1"]}),
    ("a.b=path1,c=cfg.yaml", {"a": {"b": "value1"}, "c": "a: 1\n"}),
    ("a=", {"a": ""}),
]


@pytest.mark.parametrize(
    ("expression", "expected"), SET_FILE_CASES, ids=[c[0] for c in SET_FILE_CASES]
)
def test_set_file_reads_each_right_hand_side_as_a_path(
    expression: str, expected: dict[str, Any]
) -> None:
    assert parse(expression, "set-file", read_file=FILES.__getitem__) == expected


def test_set_file_defaults_to_reading_a_local_file(tmp_path: Path) -> None:
    target = tmp_path / "cert.pem"
    target.write_text("-----BEGIN-----\nxyz\n", encoding="utf-8")
    assert parse(f"tls.cert={target}", "set-file") == {"tls": {"cert": "-----BEGIN-----\nxyz\n"}}


def test_set_file_reader_errors_propagate() -> None:
    def missing(path: str) -> str:
        raise FileNotFoundError(path)

    with pytest.raises(FileNotFoundError):
        parse("a=nope", "set-file", read_file=missing)


# --------------------------------------------------------------------------------------------
# Applying onto existing values (Helm's ParseInto / ParseIntoString / ParseJSON tables)
# --------------------------------------------------------------------------------------------

INTO_CASES: list[tuple[str, Kind, dict[str, Any], list[str], dict[str, Any]]] = [
    (
        "overwrite-and-add-nested",
        "set",
        {"outer": {"inner1": "overwrite", "inner2": "value2"}},
        ["outer.inner1=value1,outer.inner3=value3,outer.inner4=4"],
        {"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}},
    ),
    (
        "same-list-item-twice",
        "set",
        {},
        ["listOuter[0][0].type=listValue", "listOuter[0][0].status=alive"],
        {"listOuter": [[{"type": "listValue", "status": "alive"}]]},
    ),
    (
        "two-outer-items",
        "set",
        {},
        ["listOuter[0][0].type=listValue", "listOuter[1][0].status=alive"],
        {"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]},
    ),
    (
        "deep-lists-keep-existing",
        "set",
        {"listOuter": [[[{"exited": "old"}]]]},
        ["listOuter[0][1][0].type=listValue", "listOuter[0][0][1].status=alive"],
        {"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]},
    ),
    (
        "set-string-overwrites",
        "set-string",
        {"outer": {"inner1": "overwrite", "inner2": "value2"}},
        ["outer.inner1=1,outer.inner3=3"],
        {"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}},
    ),
    (
        "json-scalars",
        "set-json",
        {"outer": {"inner1": "overwrite", "inner2": "value2"}},
        ['outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true"'],
        {
            "outer": {
                "inner1": "1",
                "inner2": "value2",
                "inner3": 3,
                "inner4": True,
                "inner5": "true",
            }
        },
    ),
    (
        "json-objects-and-arrays-replace",
        "set-json",
        {"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2", "inner3": ["overwrite"]}},
        [
            'outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],'
            'outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5=[{"A":"1","B":2,"C":[1,2,3]}]'
        ],
        {
            "outer": {
                "inner1": {"a": "1", "b": 2, "c": [1, 2, 3]},
                "inner2": "value2",
                "inner3": ["new value 1", "new value 2"],
                "inner4": {"aa": "1", "bb": 2, "cc": [1, 2, 3]},
                "inner5": [{"A": "1", "B": 2, "C": [1, 2, 3]}],
            }
        },
    ),
    (
        "json-null-and-empty",
        "set-json",
        {"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2"}},
        ['outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null'],
        {
            "outer": {
                "inner1": None,
                "inner2": "value2",
                "inner3": {"aa": "1", "bb": 2, "cc": [1, None, 3]},
            }
        },
    ),
    ("scalar-replaces-map", "set", {"a": {"b": 1}}, ["a=2"], {"a": 2}),
    ("list-syntax-replaces-list", "set", {"a": [1, 2, 3]}, ["a={x}"], {"a": ["x"]}),
    ("index-keeps-other-items", "set", {"a": [1, 2, 3]}, ["a[1]=x"], {"a": [1, "x", 3]}),
    ("index-grows-list", "set", {"a": [1]}, ["a[2]=x"], {"a": [1, None, "x"]}),
    ("null-value-stored", "set", {"a": {"b": 1}}, ["a=null"], {"a": None}),
    ("null-inner-list-item-is-replaced", "set", {"a": [None]}, ["a[0][0]=1"], {"a": [[1]]}),
    ("scalar-item-becomes-map", "set", {"a": [1]}, ["a[0].b=x"], {"a": [{"b": "x"}]}),
    ("merge-into-map-item", "set", {"a": [{"x": 1}]}, ["a[0].y=2"], {"a": [{"x": 1, "y": 2}]}),
    ("dangling-path-mutates-nothing", "set", {"a": {"x": 1}}, ["a."], {"a": {"x": 1}}),
    (
        "empty-value-at-end-still-fills-existing-map-item",
        "set",
        {"a": [{"x": 1}]},
        ["a[0].b="],
        {"a": [{"x": 1, "b": ""}]},
    ),
]


@pytest.mark.parametrize(
    ("kind", "initial", "expressions", "expected"),
    [c[1:] for c in INTO_CASES],
    ids=[c[0] for c in INTO_CASES],
)
def test_apply_set_updates_existing_values_in_place(
    kind: Kind, initial: dict[str, Any], expressions: list[str], expected: dict[str, Any]
) -> None:
    values = copy.deepcopy(initial)
    for expression in expressions:
        apply_set(values, expression, kind=kind)
    assert values == expected


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

TOO_DEEP = ".".join(f"name{i}" for i in range(1, 33)) + "=value"  # 31 dots

ERROR_CASES: list[tuple[Kind, str, str]] = [
    ("set", "a.b", 'key "b" has no value'),
    ("set", "a", 'key "a" has no value'),
    ("set", "name1,name2=", 'key "name1" has no value (cannot end with ,)'),
    ("set", "name1,name2=value2", 'key "name1" has no value (cannot end with ,)'),
    ("set", "name1,name2=value2\\", 'key "name1" has no value (cannot end with ,)'),
    ("set", "name1,name2", 'key "name1" has no value (cannot end with ,)'),
    ("set", "name1=value1,,,,name2=value2,", 'key "" has no value (cannot end with ,)'),
    ("set", ",a=1", 'key "" has no value (cannot end with ,)'),
    ("set", "name1.name2,name1.name3", 'key "name2" has no value (cannot end with ,)'),
    ("set", "name1.=name2", 'key map "name1" has no value'),
    ("set", "a..b=1", 'key map "a" has no value'),
    ("set", "name1.,name2", 'key "" has no value (cannot end with ,)'),
    ("set", "a\\", 'key "a" has no value'),
    ("set", "name1={1021,902", "list must terminate with '}'"),
    ("set", "a={", "list must terminate with '}'"),
    ("set", "a[0", "missing its closing ']'"),
    ("set", "a[", "missing its closing ']'"),
    ("set", "a[0\\]=1", "missing its closing ']'"),
    ("set", "a[x]=1", 'list index "x" is not an integer'),
    ("set", "a[]=1", 'list index "" is not an integer'),
    ("set", "a[ 1]=1", 'list index " 1" is not an integer'),
    ("set", "a[1.5]=1", 'list index "1.5" is not an integer'),
    ("set", "a[0][y]=1", 'list index "y" is not an integer'),
    ("set", "a[65537]=x", "list index 65537 is greater than the maximum of 65536"),
    ("set", "a[0][65537]=x", "greater than the maximum of 65536"),
    ("set", "a[99999999999999999999]=x", "out of range"),
    ("set", "list[0].foo=bar,list[-30].hello=world", "negative list index -30"),
    ("set", "list[0]=foo,list[-20]=bar", "negative list index -20"),
    ("set", "illegal[0]name.foo=bar", 'unexpected data after list index: "name"'),
    ("set", "a[0]b=1", 'unexpected data after list index: "b"'),
    ("set", "a[0]x", 'unexpected data after list index: "x"'),
    ("set", "]={}].", 'cannot set a field of "]": it holds a list, not a map'),
    ("set", "a=1,a.b=2", 'cannot set a field of "a": it holds an integer, not a map'),
    ("set", "a=x,a[0]=2", 'cannot index "a": it holds a string, not a list'),
    ("set", "a[0]=1,a[0][0]=2", "cannot index list item 0: it holds an integer, not a list"),
    ("set", "a={x},a.b=1", "it holds a list, not a map"),
    ("set", TOO_DEEP, "nested more than the maximum of 30 levels"),
    ("set-string", "a.b", 'key "b" has no value'),
    ("set-string", "a[z]=1", 'list index "z" is not an integer'),
    ("set-json", "a.b", 'key "b" has no value'),
    ("set-json", 'a={"b":', "invalid JSON value"),
    ("set-json", "a=tru", "invalid JSON value"),
    ("set-json", "a=x", "invalid JSON value"),
    ("set-json", "a='x'", "invalid JSON value"),
    ("set-json", "a=NaN", "invalid JSON value"),
    ("set-json", "a=-Infinity", "invalid JSON value"),
    ("set-json", "a=1.", "invalid JSON number"),
    ("set-json", "a=1e", "invalid JSON number"),
    ("set-json", "a=1.5e", "invalid JSON number"),
    ("set-json", "a=1e400", "out of range"),
    ("set-json", "a=[0.5e9223372036854775808]", "out of range"),
    ("set-json", "a=1" + "0" * 400, "invalid JSON value"),
    ("set-json", "a=01", 'key "1" has no value'),
    ("set-json", "a=[1] 2", 'key "2" has no value'),
    ("set-json", "a[70000]=1", "greater than the maximum of 65536"),
    # Helm 3 has no whole-document form (Helm 4 added one).
    ("set-json", '{"a":1}', "has no value"),
    (
        "set-json",
        'outer.inner1={"a":"1"},outer.inner5={"A":"1","C":[1,2,3]}]',
        'key "]" has no value',
    ),
    ("set-file", "a", 'key "a" has no value'),
    ("set-file", "a={p", "list must terminate with '}'"),
]


@pytest.mark.parametrize(
    ("kind", "expression", "fragment"),
    ERROR_CASES,
    ids=[f"{c[0]}:{c[1][:40]}" for c in ERROR_CASES],
)
def test_bad_expressions_raise_set_syntax_error_naming_expression_and_problem(
    kind: Kind, expression: str, fragment: str
) -> None:
    with pytest.raises(SetSyntaxError) as info:
        parse(expression, kind, read_file=lambda path: path)
    message = str(info.value)
    assert fragment in message
    assert repr(shown(expression)) in message  # the key, never the value
    assert f"--{kind}" in message
    assert info.value.expression == expression
    assert info.value.kind == kind
    assert fragment in info.value.problem
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("existing", "expression", "fragment"),
    [
        # A values file with `a:` (null) makes Helm's `--set a.b=x` fail (helm/helm#4759).
        ({"a": None}, "a.b=1", 'cannot set a field of "a": it holds null, not a map'),
        ({"a": None}, "a[0]=1", 'cannot index "a": it holds null, not a list'),
        ({"a": "text"}, "a.b=1", "it holds a string, not a map"),
        ({"a": {"b": 1}}, "a[0]=1", "it holds a map, not a list"),
        ({"a": [True]}, "a[0][0]=1", "cannot index list item 0: it holds a boolean, not a list"),
    ],
)
def test_paths_through_values_of_the_wrong_type_are_errors(
    existing: dict[str, Any], expression: str, fragment: str
) -> None:
    values = copy.deepcopy(existing)
    with pytest.raises(SetSyntaxError) as info:
        apply_set(values, expression, kind="set")
    assert fragment in str(info.value)


def test_failed_expression_leaves_values_unchanged() -> None:
    values: dict[str, Any] = {"keep": {"me": [1, 2]}}
    before = copy.deepcopy(values)
    with pytest.raises(SetSyntaxError):
        apply_set(values, "keep.me[5]=x,new=1,broken", kind="set")
    assert values == before


def test_set_syntax_error_survives_pickling() -> None:
    error = SetSyntaxError("a.b", 'key "b" has no value', "set-string")
    clone = pickle.loads(pickle.dumps(error))
    assert str(clone) == str(error)
    assert (clone.expression, clone.problem, clone.kind) == (
        "a.b",
        'key "b" has no value',
        "set-string",
    )


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        apply_set({}, "a=1", kind="set-literal")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# merge_maps (several -f files)
# --------------------------------------------------------------------------------------------


def test_merge_maps_merges_nested_maps_deeply() -> None:
    base = {"a": {"b": 1, "c": {"d": 2}}, "x": 1}
    override = {"a": {"c": {"e": 3}}, "y": 2}
    assert merge_maps(base, override) == {"a": {"b": 1, "c": {"d": 2, "e": 3}}, "x": 1, "y": 2}


@pytest.mark.parametrize(
    ("base", "override", "expected"),
    [
        ({"l": [1, 2, 3]}, {"l": [9]}, {"l": [9]}),
        ({"m": {"k": 1}}, {"m": "scalar"}, {"m": "scalar"}),
        ({"m": "scalar"}, {"m": {"k": 1}}, {"m": {"k": 1}}),
        ({"m": {"k": 1}}, {"m": None}, {"m": None}),
        ({"m": {"k": 1}}, {"m": {"k": None}}, {"m": {"k": None}}),
        ({"m": {"k": 1}}, {"m": []}, {"m": []}),
        ({"m": [{"a": 1}]}, {"m": [{"b": 2}]}, {"m": [{"b": 2}]}),
        ({"m": None}, {"m": {"k": 1}}, {"m": {"k": 1}}),
        ({"m": {"k": 1}}, {"m": {}}, {"m": {"k": 1}}),
    ],
    ids=[
        "list-replaced",
        "scalar-replaces-map",
        "map-replaces-scalar",
        "null-replaces-map",
        "nested-null-kept",
        "empty-list-replaces-map",
        "list-of-maps-not-merged",
        "map-replaces-null",
        "empty-map-changes-nothing",
    ],
)
def test_merge_maps_replaces_everything_but_maps(
    base: dict[str, Any], override: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert merge_maps(base, override) == expected


def test_merge_maps_leaves_inputs_untouched_and_unshared() -> None:
    base = {"a": {"b": [1, {"c": 2}]}, "keep": {"k": 1}}
    override = {"a": {"d": {"e": [3]}}}
    snapshot = copy.deepcopy((base, override))
    result = merge_maps(base, override)
    assert (base, override) == snapshot
    result["a"]["b"][1]["c"] = "changed"
    result["a"]["d"]["e"].append(4)
    result["keep"]["k"] = 2
    assert (base, override) == snapshot


# --------------------------------------------------------------------------------------------
# coalesce (user values over chart defaults)
# --------------------------------------------------------------------------------------------

COALESCE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("default-filled-in", {}, {"a": 1}, {"a": 1}),
    ("user-scalar-wins", {"a": 2}, {"a": 1}, {"a": 2}),
    ("null-over-scalar-keeps-none", {"a": None}, {"a": 1}, {"a": None}),
    ("null-over-map-keeps-none", {"a": None}, {"a": {"b": 1}}, {"a": None}),
    (
        "nested-null-over-default",
        {"a": {"b": None}},
        {"a": {"b": 1, "c": 2}},
        {"a": {"b": None, "c": 2}},
    ),
    ("null-without-default-stays", {"x": None}, {"a": 1}, {"x": None, "a": 1}),
    (
        "nested-null-without-default",
        {"a": {"x": None}},
        {"a": {"b": 1}},
        {"a": {"x": None, "b": 1}},
    ),
    ("null-over-null", {"a": None}, {"a": None}, {"a": None}),
    ("default-null-kept", {}, {"a": None, "b": {"c": None}}, {"a": None, "b": {"c": None}}),
    ("user-value-over-default-null", {"a": {"x": 1}}, {"a": None}, {"a": {"x": 1}}),
    (
        "deep-merge",
        {"a": {"b": {"c": 1}}},
        {"a": {"b": {"d": 2}, "e": 3}, "f": 4},
        {"a": {"b": {"c": 1, "d": 2}, "e": 3}, "f": 4},
    ),
    ("list-replaced-whole", {"l": [9]}, {"l": [1, 2, 3]}, {"l": [9]}),
    ("empty-list-replaces", {"l": []}, {"l": [1]}, {"l": []}),
    ("list-of-maps-not-merged", {"l": [{"a": 1}]}, {"l": [{"a": 0, "b": 2}]}, {"l": [{"a": 1}]}),
    ("empty-map-gets-defaults", {"a": {}}, {"a": {"b": 1}}, {"a": {"b": 1}}),
    (
        "false-and-zero-are-values",
        {"a": False, "b": 0, "c": ""},
        {"a": True, "b": 5, "c": "x"},
        {"a": False, "b": 0, "c": ""},
    ),
    ("extra-user-keys-kept", {"new": {"x": [1]}}, {}, {"new": {"x": [1]}}),
]


@pytest.mark.parametrize(
    ("user", "defaults", "expected"),
    [c[1:] for c in COALESCE_CASES],
    ids=[c[0] for c in COALESCE_CASES],
)
def test_coalesce_lays_user_values_over_defaults(
    user: dict[str, Any], defaults: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert coalesce(user, defaults) == expected


@pytest.mark.parametrize(
    ("user", "defaults"),
    [
        ({"a": "scalar"}, {"a": {"b": 1}}),
        ({"a": {"b": 1}}, {"a": "scalar"}),
        ({"a": [1]}, {"a": {"b": 1}}),
        ({"x": {"a": 1}}, {"x": {"a": {"deep": True}}}),
    ],
    ids=["scalar-over-map", "map-over-scalar", "list-over-map", "nested-scalar-over-map"],
)
def test_coalesce_type_conflict_keeps_user_value_and_warns(
    user: dict[str, Any], defaults: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="syntho_ray.values.helm"):
        result = coalesce(user, defaults)
    assert result == user
    assert "keeping the user value" in caplog.text


def test_coalesce_leaves_inputs_untouched_and_unshared() -> None:
    user = {"a": {"b": None, "l": [1]}}
    defaults = {"a": {"b": {"c": 1}, "d": {"e": [2]}}, "f": {"g": 1}}
    snapshot = copy.deepcopy((user, defaults))
    result = coalesce(user, defaults)
    assert (user, defaults) == snapshot
    result["a"]["d"]["e"].append(3)
    result["a"]["l"].append(3)
    result["f"]["g"] = 2
    assert (user, defaults) == snapshot


# --------------------------------------------------------------------------------------------
# combine (the whole pipeline)
# --------------------------------------------------------------------------------------------


def test_combine_applies_sources_in_helm_order() -> None:
    files: list[dict[str, Any]] = [{"a": "file1", "only1": 1}, {"a": "file2"}]
    reader = {"p": "from-file"}.__getitem__
    everything = combine(
        {"a": "default"},
        files,
        set_json=["a=1"],
        set_values=["a=2"],
        set_string=["a=3"],
        set_file=["a=p"],
        read_file=reader,
    )
    assert everything == {"a": "from-file", "only1": 1}
    assert combine({}, files, set_json=["a=1"], set_values=["a=2"], set_string=["a=3"]) == {
        "a": "3",
        "only1": 1,
    }
    assert combine({}, files, set_json=["a=1"], set_values=["a=2"]) == {"a": 2, "only1": 1}
    assert combine({}, files, set_json=["a=1"]) == {"a": 1, "only1": 1}
    assert combine({}, files) == {"a": "file2", "only1": 1}


def test_combine_applies_repeated_flags_left_to_right() -> None:
    assert combine({}, [], set_values=["a=1,b=1", "b=2"]) == {"a": 1, "b": 2}


def test_combine_merges_files_then_sets_then_defaults() -> None:
    defaults = {
        "image": {"repository": "ray", "tag": "2.9", "pullPolicy": "IfNotPresent"},
        "workers": [{"name": "default", "replicas": 1}],
        "resources": {"limits": {"cpu": "1"}},
        "nodeSelector": {"pool": "x"},
    }
    files: list[dict[str, Any]] = [
        {"image": {"tag": "2.10"}, "workers": [{"name": "gpu"}]},
        {"image": {"pullPolicy": "Always"}, "nodeSelector": None},
    ]
    result = combine(
        defaults,
        files,
        set_values=["workers[0].replicas=3,resources.limits.memory=4Gi"],
        set_string=["image.tag=2.11"],
    )
    assert result == {
        "image": {"repository": "ray", "tag": "2.11", "pullPolicy": "Always"},
        "workers": [{"name": "gpu", "replicas": 3}],
        "resources": {"limits": {"cpu": "1", "memory": "4Gi"}},
        "nodeSelector": None,
    }


def test_combine_null_from_set_keeps_key_as_none_over_default() -> None:
    result = combine({"a": {"b": 1, "c": 2}}, [], set_values=["a.b=null"])
    assert result == {"a": {"b": None, "c": 2}}


def test_combine_leaves_inputs_untouched() -> None:
    defaults = {"a": {"b": 1}}
    files: list[dict[str, Any]] = [{"a": {"c": [1]}}, {"a": {"c": [2]}}]
    snapshot = copy.deepcopy((defaults, files))
    result = combine(defaults, files, set_values=["a.c[1]=x"])
    assert result == {"a": {"b": 1, "c": [2, "x"]}}
    assert (defaults, files) == snapshot


def test_combine_reports_the_failing_flag() -> None:
    with pytest.raises(SetSyntaxError, match=r"--set-string expression 'a\.b'"):
        combine({}, [], set_values=["ok=1"], set_string=["a.b"])


def test_combine_set_through_null_from_values_file_fails_like_helm() -> None:
    with pytest.raises(SetSyntaxError, match="it holds null, not a map"):
        combine({}, [{"a": None}], set_values=["a.b=1"])


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

KEYS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,12}", fullmatch=True)
PLAIN_TEXT = st.text(st.characters(exclude_characters=",\\{", exclude_categories=["Cs"]))
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
JSON_MAPS = st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=5)


@given(KEYS, PLAIN_TEXT)
def test_set_string_round_trips_text_without_special_characters(key: str, text: str) -> None:
    assert parse(f"{key}={text}", "set-string") == {key: text}


@given(KEYS, st.text())
def test_set_string_round_trips_any_text_when_every_character_is_escaped(
    key: str, text: str
) -> None:
    escaped = "".join("\\" + char for char in text)
    assert parse(f"{key}={escaped}", "set-string") == {key: text}


@given(KEYS, st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_set_infers_every_int64(key: str, number: int) -> None:
    assert parse(f"{key}={number}") == {key: number}


@given(KEYS, JSON_VALUES)
def test_set_json_round_trips_any_json_value(key: str, value: Any) -> None:
    assert parse(f"{key}={json.dumps(value)}", "set-json") == {key: value}


@given(st.text(max_size=40), st.sampled_from(["set", "set-string", "set-json", "set-file"]))
def test_parser_only_ever_raises_set_syntax_error(expression: str, kind: Kind) -> None:
    values: dict[str, Any] = {}
    try:
        apply_set(values, expression, kind=kind, read_file=lambda path: path)
    except SetSyntaxError:
        assert values == {}


@given(JSON_MAPS)
def test_merge_maps_with_empty_side_is_identity(values: dict[str, Any]) -> None:
    assert merge_maps(values, {}) == values
    assert merge_maps({}, values) == values


@given(JSON_MAPS, JSON_MAPS)
def test_merge_maps_override_keys_win_unless_both_are_maps(
    base: dict[str, Any], override: dict[str, Any]
) -> None:
    merged = merge_maps(base, override)
    assert set(merged) == set(base) | set(override)
    for key, value in override.items():
        if not (isinstance(value, dict) and isinstance(base.get(key), dict)):
            assert merged[key] == value


@given(JSON_MAPS)
def test_coalesce_with_no_defaults_or_no_user_values_is_identity(values: dict[str, Any]) -> None:
    assert coalesce(values, {}) == values
    assert coalesce({}, values) == values


@given(JSON_MAPS, JSON_MAPS)
def test_coalesce_is_idempotent_over_the_same_defaults(
    user: dict[str, Any], defaults: dict[str, Any]
) -> None:
    once = coalesce(user, defaults)
    assert coalesce(once, defaults) == once
