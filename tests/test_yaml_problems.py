"""Values files that are not good YAML, and command lines that are wrong: clear errors, no trace.

Syntax errors with line and column; duplicate keys refused; alias expansion bounded in memory;
non-UTF-8 and non-mapping files refused; empty files meaning no overrides; exit codes 1 (values)
and 2 (usage); an unexpected failure is one line that points at --debug.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import RUNNER

from syntho_ray import ValuesError, ValuesInput, cli, load_values
from syntho_ray import render as render_module
from syntho_ray.values.yamlfile import parse

MEMORY_BOUND = 50 * 2**20


def _write(tmp_path: Path, text: str | bytes, name: str = "values.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _invoke(*args: str | Path) -> Any:
    return RUNNER.invoke(cli.app, [str(a) for a in args])


def _render_file(tmp_path: Path, path: Path) -> Any:
    return _invoke("render", "-f", path, "-o", tmp_path / "out")


def _errors(stderr: str) -> list[str]:
    return [
        line.removeprefix("error: ") for line in stderr.splitlines() if line.startswith("error: ")
    ]


def _assert_clean_failure(result: Any, tmp_path: Path, code: int = 1) -> list[str]:
    assert result.exit_code == code, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert not (tmp_path / "out").exists()
    return _errors(result.stderr)


def _problems(text: str, name: str = "values.yaml") -> list[Any]:
    with pytest.raises(ValuesError) as caught:
        parse(text, name)
    return caught.value.problems


# -- Syntax errors ---------------------------------------------------------------------------------


def test_a_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        SynthoLicense: abc
        head:
          labels:
            team: ray
           tier: compute
        """,
    )
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    assert len(errors) == 1
    assert re.fullmatch(rf"{re.escape(str(path))}:5:\d+: invalid YAML: .+", errors[0]), errors


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: [1, 2\nb: 3\n", 2),  # an unclosed flow sequence, seen on the next line
        ("a: 'unterminated\n", 1),  # an unterminated quoted scalar, named where it opened
        ("a: b: c\n", 1),  # a mapping value where none may start
        ("a:\n\t- 1\n", 2),  # a tab as indentation
        ("- a\nb: c\n", 2),  # a list, then a mapping at the same level
        ("a: 1\n---\nb: 2\n", 2),  # two documents in one values file
    ],
)
def test_each_syntax_error_has_a_line_and_column(text: str, line: int) -> None:
    problems = _problems(text)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.source == "values.yaml"
    assert problem.line == line, str(problem)
    assert problem.column >= 1
    assert str(problem).startswith(f"values.yaml:{line}:{problem.column}: ")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("head:\n  rayVersion: !python/name:os.system 2.5\n", id="unknown-tag"),
        pytest.param("head:\n  rayVersion: !!binary aGVsbG8=\n", id="binary"),
        *(
            pytest.param(
                f"head:\n  rayVersion: !!{tag} nope\n",
                id=f"bad-{tag}",
            )
            for tag in ("int", "float", "bool", "timestamp")
        ),
    ],
)
def test_a_value_yaml_cannot_read_is_a_located_error(text: str) -> None:
    problems = _problems(text)
    assert [(p.path, p.line) for p in problems] == [("head.rayVersion", 2)]


# -- Duplicate keys --------------------------------------------------------------------------------


def test_duplicate_keys_are_errors_each_with_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        clustername: ray-a
        worker:
          disabled: false
          tolerations:
            - key: gpu
              operator: Exists
              key: nvidia.com/gpu
          replicas: 2
          replicas: 3
        clustername: ray-b
        """,
    )
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    name = str(path)
    assert errors == [
        f"{name}:7:7: worker.tolerations[0].key: duplicate key (first set on line 5); "
        "YAML keeps only one",
        f"{name}:9:3: worker.replicas: duplicate key (first set on line 8); YAML keeps only one",
        f"{name}:10:1: clustername: duplicate key (first set on line 1); YAML keeps only one",
    ]


def test_keys_equal_after_typing_are_duplicates() -> None:
    # `1` and `"1"` differ in YAML but are the same key once read as text, as Helm reads them.
    problems = _problems('head:\n  labels:\n    "1": a\n    1: b\n')
    assert [(p.path, p.line) for p in problems] == [("head.labels.1", 4)]


def test_the_same_key_in_different_mappings_is_fine() -> None:
    doc = parse("head:\n  labels: {a: '1'}\nworker:\n  labels: {a: '2'}\n", "v.yaml")
    assert doc.data == {"head": {"labels": {"a": "1"}}, "worker": {"labels": {"a": "2"}}}


def test_a_merge_key_with_an_override_is_not_a_duplicate() -> None:
    text = textwrap.dedent(
        """\
        head:
          resources:
            limits: &limits {cpu: "8", memory: 32G}
            requests: *limits
        worker:
          resources:
            limits:
              <<: *limits
              memory: 64G
        """
    )
    doc = parse(text, "values.yaml")
    assert doc.data["worker"]["resources"]["limits"] == {"cpu": "8", "memory": "64G"}


# -- Aliases ---------------------------------------------------------------------------------------


def _laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join([*lines, "head:", "  annotations:", f"    lol: *a{levels - 1}", ""])


def test_billion_laughs_fails_with_bounded_memory(tmp_path: Path) -> None:
    path = _write(tmp_path, _laughs())
    assert path.stat().st_size < 2000  # a tiny file that would expand to 10^9 strings
    tracemalloc.start()
    try:
        with pytest.raises(ValuesError) as caught:
            load_values(ValuesInput(files=[str(path)]))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MiB"
    [problem] = caught.value.problems
    assert problem.source == str(path)
    assert problem.line > 0
    assert "aliases expand to more than 100,000 values" in problem.message


def test_billion_laughs_on_the_command_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _laughs())
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:")
    assert "aliases expand to more than" in errors[0]


def test_aliases_that_stay_small_are_expanded() -> None:
    text = textwrap.dedent(
        """\
        head:
          tolerations: &tol
            - {key: dedicated, operator: Equal, value: ray, effect: NoSchedule}
        worker:
          tolerations: *tol
        """
    )
    doc = parse(text, "values.yaml")
    assert doc.data["worker"]["tolerations"] == doc.data["head"]["tolerations"]


@pytest.mark.parametrize(
    "text",
    [
        "head: &h\n  labels: *h\n",  # a mapping that contains itself
        "head:\n  tolerations: &t\n    - *t\n",  # a list that contains itself
    ],
)
def test_a_recursive_alias_is_an_error_not_a_hang(tmp_path: Path, text: str) -> None:
    tracemalloc.start()
    try:
        problems = _problems(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND
    assert len(problems) == 1
    assert problems[0].line in (1, 2, 3)
    assert "nested" in problems[0].message

    path = _write(tmp_path, text)
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    assert len(errors) == 1


def test_deep_flow_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    depth = 100_000
    path = _write(tmp_path, "head:\n  labels: " + "[" * depth + "]" * depth + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "syntho_ray", "render", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, f"exit {done.returncode}"
    assert "Traceback" not in done.stderr
    assert f"error: {path}" in done.stderr


def test_moderately_deep_nesting_is_refused_cleanly(tmp_path: Path) -> None:
    depth = 5_000  # deep enough to pass the depth limit, shallow enough not to crash
    path = _write(tmp_path, "head:\n  labels: " + "[" * depth + "]" * depth + "\n")
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    assert len(errors) == 1
    assert "too deeply nested" in errors[0]


# -- Encoding and shape ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "SynthoLicense: abc\nhead:\n  annotations:\n    owner: René\n".encode("latin-1"),
        "SynthoLicense: abc\n".encode("utf-16"),  # with its byte order mark
        b"SynthoLicense: \xff\xfe\n",
    ],
    ids=["latin-1", "utf-16", "invalid-bytes"],
)
def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path, data: bytes) -> None:
    path = _write(tmp_path, data)
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}: not UTF-8 text")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffclustername: ray-bom\n".encode())
    result = _invoke("render", "-q", "-f", path)
    assert result.exit_code == 0, result.stderr
    assert "name: ray-bom" in result.stdout


@pytest.mark.parametrize(
    "text",
    ["- clustername: ray-a\n- head: {}\n", "ray-cluster\n", "42\n", "true\n", "'quoted'\n"],
    ids=["list", "string", "number", "boolean", "quoted"],
)
def test_a_top_level_that_is_not_a_mapping_is_refused(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, text)
    errors = _assert_clean_failure(_render_file(tmp_path, path), tmp_path)
    assert errors == [f"{path}:1:1: the top level must be a mapping of keys to values"]


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# only a comment\n# and another\n", "---\n", "--- # nothing\n...\n", "~\n"],
    ids=["empty", "blank-lines", "comments", "document-start", "document-end", "null"],
)
def test_an_empty_file_means_no_overrides(tmp_path: Path, text: str) -> None:
    defaults = _invoke("render", "-q")
    assert defaults.exit_code == 0, defaults.stderr
    path = _write(tmp_path, text)
    result = _invoke("render", "-q", "-f", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == defaults.stdout
    # ... also when it comes between two files that do set values.
    first = _write(tmp_path, "clustername: ray-first\n", "first.yaml")
    last = _write(tmp_path, "worker:\n  disabled: false\n", "last.yaml")
    both = _invoke("render", "-q", "-f", first, "-f", path, "-f", last)
    assert both.exit_code == 0, both.stderr
    assert "name: ray-first" in both.stdout
    assert "groupName: workergroup" in both.stdout


# -- Files and command lines -----------------------------------------------------------------------


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-values.yaml"
    errors = _assert_clean_failure(_render_file(tmp_path, missing), tmp_path)
    assert errors == [f"{missing}: file not found"]


def test_a_missing_file_and_a_bad_file_are_both_reported(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    broken = _write(tmp_path, "a: [1\n", "broken.yaml")
    result = _invoke("render", "-f", missing, "-f", broken, "-o", tmp_path / "out")
    errors = _assert_clean_failure(result, tmp_path)
    assert len(errors) == 2
    assert errors[0] == f"{missing}: file not found"
    assert errors[1].startswith(f"{broken}:2:")


def test_a_directory_given_as_values_file_is_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "values.d"
    folder.mkdir()
    result = _invoke("render", "-f", folder, "-o", tmp_path / "out")
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.stderr
    assert "values.d" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["render", "--no-such-option"],
        ["render", "-f"],
        ["render", "--namespace", "Not_A_Namespace"],
        ["render", "--namespace", "x" * 64],
        ["render", "--release", "Bad Release"],
        ["validate", "--no-such-option"],
        ["no-such-command"],
    ],
)
def test_a_usage_error_exits_2(tmp_path: Path, args: list[str]) -> None:
    result = _invoke(*args, "-o", tmp_path / "out") if args[0] == "render" else _invoke(*args)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out").exists()


def test_a_bad_namespace_is_explained(tmp_path: Path) -> None:
    result = _invoke("render", "-n", "Not_A_Namespace", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "error: --namespace 'Not_A_Namespace'" in result.stderr


@pytest.mark.parametrize(
    ("option", "expression"),
    [
        ("--set", "worker.replicas"),
        ("--set", "a[=1"),
        ("--set", "head.tolerations[x].key=gpu"),
        ("--set-json", "head.tolerations=[{"),
        ("--set-json", "head.tolerations"),
    ],
)
def test_a_set_syntax_error_exits_1_naming_the_expression(
    tmp_path: Path, option: str, expression: str
) -> None:
    result = _invoke("render", option, expression, "-o", tmp_path / "out")
    errors = _assert_clean_failure(result, tmp_path)
    assert len(errors) == 1
    assert errors[0].startswith(f"{option}: ")
    key = expression.partition("=")[0]
    assert key in errors[0]
    if "=" in expression:  # the value is never shown: it may be the license
        assert expression.partition("=")[2] not in errors[0].replace(key, "")


def test_a_set_value_of_the_wrong_type_is_located_on_the_set(tmp_path: Path) -> None:
    result = _invoke("render", "--set", "worker.replicas=-2", "-o", tmp_path / "out")
    errors = _assert_clean_failure(result, tmp_path)
    # named by its key, never its value (which may be the license)
    assert errors == ["--set worker.replicas: worker.replicas: must be at least 0 (got -2)"]


def test_a_set_file_that_is_missing_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "license.txt"
    result = _invoke("render", "--set-file", f"SynthoLicense={missing}", "-o", tmp_path / "out")
    errors = _assert_clean_failure(result, tmp_path)
    assert len(errors) == 1
    assert str(missing) in errors[0]


# -- Unexpected failures ---------------------------------------------------------------------------


def _boom(*_: Any) -> list[Any]:
    raise RuntimeError("boom in a builder")


@pytest.mark.parametrize("command", ["render", "validate"])
def test_an_unexpected_error_is_one_line_pointing_at_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setattr(render_module, "BUILDERS", (_boom,))
    args = [command, "-o", tmp_path / "out"] if command == "render" else [command]
    result = _invoke(*args)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    assert "RuntimeError" in lines[0]
    assert "boom in a builder" in lines[0]
    assert "--debug" in lines[0]
    assert not (tmp_path / "out").exists()


def test_with_debug_the_unexpected_error_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render_module, "BUILDERS", (_boom,))
    result = _invoke("render", "--debug", "-o", tmp_path / "out")
    assert isinstance(result.exception, RuntimeError)
    assert str(result.exception) == "boom in a builder"
    assert not (tmp_path / "out").exists()


_PATCHED_MAIN = """
import sys
from syntho_ray import render
def boom(*_):
    raise RuntimeError("boom in a builder")
render.BUILDERS = (boom,)
from syntho_ray.cli import main
sys.argv = ["syntho-ray", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("debug", [False, True])
def test_a_real_process_shows_the_traceback_only_with_debug(tmp_path: Path, debug: bool) -> None:
    out = tmp_path / "out"
    args = ["render", "-o", str(out), *(["--debug"] if debug else [])]
    done = subprocess.run(
        [sys.executable, "-c", _PATCHED_MAIN, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert not out.exists()
    if debug:
        assert "Traceback (most recent call last)" in done.stderr
        assert "RuntimeError: boom in a builder" in done.stderr
    else:
        assert "Traceback" not in done.stderr
        others = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]
        assert len(others) == 1, done.stderr
        assert others[0].startswith("error: unexpected RuntimeError: boom in a builder")
        assert others[0].endswith("(run again with --debug for the traceback)")
