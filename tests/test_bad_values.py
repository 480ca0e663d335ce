"""The corpus of bad values files: each names its problem and its place, and nothing is written.

Every file in `tests/bad_values/` starts with comment lines: `# <what is wrong>`, then one or
more `# expect: <text>`, where the text must appear in one `error: ` line on stderr. The CLI
shows a file name as given on the command line, so the files are passed by their bare name
from inside the corpus directory.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import RUNNER

from syntho_ray import cli

CORPUS = Path(__file__).parent / "bad_values"
FILES = sorted(CORPUS.glob("*.yaml"))
# Corpus files whose expectation is right but syntho-ray does not meet it yet.
KNOWN_BUGS: dict[str, str] = {}


def _header(path: Path) -> tuple[str, list[str]]:
    """(what is wrong, expectations) from a corpus file's leading comment lines."""
    # Latin-1 reads any bytes: the not-UTF-8 file's header is plain ASCII.
    lines = path.read_bytes().decode("latin-1").splitlines()
    comments = [line for line in lines if line.startswith("#")]
    what = comments[0].removeprefix("#").strip() if comments else ""
    expected = [c.removeprefix("# expect:").strip() for c in comments if c.startswith("# expect:")]
    return what, expected


def _errors(stderr: str) -> list[str]:
    return [
        line.removeprefix("error: ") for line in stderr.splitlines() if line.startswith("error: ")
    ]


def _render_in_corpus(monkeypatch: pytest.MonkeyPatch, name: str, out: Path) -> Any:
    monkeypatch.chdir(CORPUS)
    return RUNNER.invoke(cli.app, ["render", "-f", name, "-o", str(out)])


def _params() -> list[Any]:
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[path.name])]
            if path.name in KNOWN_BUGS
            else [],
        )
        for path in FILES
    ]


def test_the_corpus_is_large_and_well_formed() -> None:
    assert len(FILES) - len(KNOWN_BUGS) >= 20
    for path in FILES:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+\.yaml", path.name), path.name
        what, expected = _header(path)
        assert what and not what.startswith("expect:"), f"{path.name}: no description"
        assert expected, f"{path.name}: no `# expect:` line"
        for text in expected:
            # Every expectation names the file and a place in it (line, or the whole file).
            assert text.startswith(f"{path.name}:"), f"{path.name}: {text}"


@pytest.mark.parametrize("path", _params())
def test_bad_values_file_is_reported_and_nothing_is_written(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, expected = _header(path)
    out = tmp_path / "out"
    result = _render_in_corpus(monkeypatch, path.name, out)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    errors = _errors(result.stderr)
    assert errors, result.stderr
    for text in expected:
        assert any(text in line for line in errors), (
            f"expected an error line containing\n  {text}\ngot:\n" + "\n".join(errors)
        )
    # Nothing created: neither the directory nor a staging directory beside it.
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_every_error_line_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in FILES:
        result = _render_in_corpus(monkeypatch, path.name, tmp_path / "out")
        for line in _errors(result.stderr):
            assert line.startswith(f"{path.name}"), f"{path.name}: {line}"


def test_several_problems_are_reported_in_one_run_ordered_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "35-several-problems.yaml"
    _, expected = _header(CORPUS / name)
    assert len(expected) >= 5
    result = _render_in_corpus(monkeypatch, name, tmp_path / "out")
    assert result.exit_code == 1
    errors = _errors(result.stderr)
    # One line per problem, each expectation on its own line, in the order of the file.
    assert len(errors) == len(expected), "\n".join(errors)
    for text, line in zip(expected, errors, strict=True):
        assert text in line
    numbers = [int(re.match(rf"{re.escape(name)}:(\d+)", e)[1]) for e in errors]  # type: ignore[index]
    assert numbers == sorted(numbers)
    assert not (tmp_path / "out").exists()


def test_problems_in_several_files_are_grouped_by_file_each_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["12-negative-replicas.yaml", "01-typo-top-level.yaml", "11-resource-name-typo.yaml"]
    monkeypatch.chdir(CORPUS)
    args = [arg for name in names for arg in ("-f", name)]
    result = RUNNER.invoke(cli.app, ["render", *args, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    located = [re.match(r"([^:]+):(\d+): ", e) for e in _errors(result.stderr)]
    assert all(located), result.stderr
    files = [m[1] for m in located if m]
    assert set(files) == set(names)
    # Each file's problems together, and in the order of its lines.
    groups = list(dict.fromkeys(files))
    assert files == sorted(files, key=groups.index)
    for name in names:
        lines = [int(m[2]) for m in located if m and m[1] == name]
        assert lines == sorted(lines)
    assert not (tmp_path / "out").exists()


def test_an_existing_output_directory_is_left_untouched_by_bad_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    good = RUNNER.invoke(cli.app, ["render", "-q", "-o", str(out)])
    assert good.exit_code == 0, good.stderr
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "mine.txt").write_text("keep me\n")
    before[Path("mine.txt")] = b"keep me\n"

    result = _render_in_corpus(monkeypatch, "10-bad-quantity.yaml", out)
    assert result.exit_code == 1
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    "name", ["03-dutch-guide.yaml", "26-yaml-syntax-error.yaml", "30-billion-laughs.yaml"]
)
def test_a_real_process_reports_the_same(name: str, tmp_path: Path) -> None:
    _, expected = _header(CORPUS / name)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "syntho_ray", "render", "-f", name, "-o", str(out)],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = _errors(done.stderr)
    for text in expected:
        assert any(text in line for line in errors), done.stderr
    assert not out.exists()


# -- Problems the corpus shows syntho-ray does not catch yet --------------------------------------


def _render_text(tmp_path: Path, text: str) -> Any:
    values = tmp_path / "values.yaml"
    values.write_text(text)
    return RUNNER.invoke(cli.app, ["render", "-f", str(values), "-o", str(tmp_path / "out")])


def test_per_key_and_whole_values_problems_are_reported_together(tmp_path: Path) -> None:
    result = _render_text(tmp_path, "clustername: Ray_Cluster\nwroker:\n  replicas: 2\n")
    assert result.exit_code == 1
    errors = _errors(result.stderr)
    assert any("values.yaml:2: wroker: unknown key" in e for e in errors), errors
    assert any("values.yaml:1: clustername: 'Ray_Cluster'" in e for e in errors), errors


def test_dutch_blok_in_ray_start_params_is_reported(tmp_path: Path) -> None:
    result = _render_text(tmp_path, "head:\n  rayStartParams:\n    blok: 'true'\n")
    assert result.exit_code == 1
    assert "head.rayStartParams.blok" in result.stderr
    assert "'block'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_dutch_keys_nested_in_a_dutch_key_are_all_named(tmp_path: Path) -> None:
    text = "hoofd:\n  middelen:\n    limieten:\n      geheugen: 4G\n"
    result = _render_text(tmp_path, text)
    assert result.exit_code == 1
    for dutch, english in [
        ("hoofd", "head"),
        ("middelen", "resources"),
        ("limieten", "limits"),
        ("geheugen", "memory"),
    ]:
        assert f"'{dutch}' is the Dutch guide's word for '{english}'" in result.stderr


def test_replicas_beyond_int32_are_refused(tmp_path: Path) -> None:
    text = "worker:\n  disabled: false\n  replicas: 3000000000\n  maxReplicas: 3000000000\n"
    result = _render_text(tmp_path, text)
    assert result.exit_code == 1
    assert "worker.replicas" in result.stderr or "worker.maxReplicas" in result.stderr


def test_a_boolean_replica_count_is_refused(tmp_path: Path) -> None:
    result = _render_text(tmp_path, "worker:\n  disabled: false\n  replicas: yes\n")
    assert result.exit_code == 1
    assert "values.yaml:3: worker.replicas" in result.stderr


def test_a_wrong_ray_start_param_is_one_line(tmp_path: Path) -> None:
    result = _render_text(tmp_path, "head:\n  rayStartParams:\n    num-cpus: {count: 4}\n")
    assert result.exit_code == 1
    assert len(_errors(result.stderr)) == 1, result.stderr


def test_service_type_external_name_is_refused(tmp_path: Path) -> None:
    result = _render_text(tmp_path, "service:\n  type: ExternalName\n")
    assert result.exit_code == 1
    assert "values.yaml:2: service.type" in result.stderr
