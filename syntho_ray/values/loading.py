"""From values files and `--set` arguments to a validated `Values`, the way Helm combines them."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from syntho_ray import collector
from syntho_ray.errors import KeyPath, Problem, ValuesError
from syntho_ray.facts.charts import Chart
from syntho_ray.k8s.data import format_path
from syntho_ray.values import files, helm, messages
from syntho_ray.values.layouts import AnyValues, chart_of, choose, layout
from syntho_ray.values.yamlfile import Document, parse

STDIN = files.STDIN  # `-f -` reads the values from standard input
STANDARD_INPUT = "standard input"
SET_KINDS: tuple[helm.SetKind, ...] = ("set-json", "set", "set-string", "set-file")  # Helm's order


@dataclass(frozen=True)
class ValuesInput:
    """What the user gave: values files in order, and the `--set` family of arguments."""

    files: Sequence[str] = ()
    set_values: Sequence[str] = ()
    set_string: Sequence[str] = ()
    set_json: Sequence[str] = ()
    set_file: Sequence[str] = ()
    # Values text read before the files, as (source name, YAML text): a Helm release's values.
    base: Sequence[tuple[str, str]] = ()
    chart: Chart | None = None  # the chart generation; None: the one the values are written for


@dataclass(frozen=True)
class Loaded:
    """Validated values, and what the user supplied before the chart defaults were added."""

    values: AnyValues
    user: dict[str, Any]
    warnings: tuple[Problem, ...] = ()  # located: file, line and key path

    @property
    def chart(self) -> Chart:
        """The chart generation the values are read as."""
        return chart_of(self.values)


def load_values(given: ValuesInput | None = None) -> AnyValues:
    """Read, merge and validate; raise ValuesError with every problem found."""
    return load(given).values


@collector.paused()
def load(given: ValuesInput | None = None) -> Loaded:
    """Read, merge and validate; raise ValuesError with every problem found."""
    user, origins, chart = _combined(given or ValuesInput())
    merged = helm.overlay(user, layout(chart).defaults())  # shares `user`: only read
    values = validate(merged, origins, chart)
    found = _located(layout(chart).located(values, user), origins)
    return Loaded(values, user, tuple(dict.fromkeys(found)))  # the Ray release first


def _combined(given: ValuesInput) -> tuple[dict[str, Any], list[Document], Chart]:
    """The user's values merged as Helm merges them, their sources and their chart generation.

    The sources come without their data, which the merged values hold a copy of: only their
    lines are needed from here on, and a large file is not held twice while it is validated.
    """
    problems: list[Problem] = []
    documents = [_parsed(text, name, problems) for name, text in given.base]
    documents += [_read(name, problems) for name in given.files]
    origins = [d for d in documents if d is not None]
    sets = {
        "set-json": given.set_json,
        "set": given.set_values,
        "set-string": given.set_string,
        "set-file": given.set_file,
    }
    texts: dict[str, str] = {}  # each --set-file read once
    for kind in SET_KINDS:
        origins += [_set_origin(kind, expr, problems, texts) for expr in sets[kind]]
    if problems:
        raise ValuesError(problems)
    try:
        user = helm.combine(
            {},
            [d.data for d in documents if d is not None],
            set_json=given.set_json,
            set_values=given.set_values,
            set_string=given.set_string,
            set_file=given.set_file,
            read_file=texts.__getitem__,
        )
    except helm.SetSyntaxError as exc:  # one --set against what an earlier one set
        raise ValuesError([Problem(f"--{exc.kind}", "", str(exc))]) from None
    chart = choose(given.chart, origins)
    return user, [replace(origin, data={}) for origin in origins], chart


@collector.paused()
def values_from_mapping(
    data: Mapping[str, Any], *, source: str = "values", chart: Chart | None = None
) -> AnyValues:
    """Values from user data (already parsed), coalesced over the chart defaults; `chart` is
    the generation (default: the one the data's layout shows, else 1.13)."""
    given = dict(data)
    chosen = choose(chart, [Document(source, given, found_lines={})])
    merged = helm.coalesce(given, layout(chosen).defaults())
    try:
        return validate(merged, (), chosen)
    except ValuesError:  # again, with every key's source: only now worth finding
        return validate(merged, [_given(source, given)], chosen)


def validate(
    merged: dict[str, Any], origins: Sequence[Document] = (), chart: Chart = "1.13"
) -> AnyValues:
    """The chart generation's values from merged data, every problem located in the source
    that set it."""
    chosen = layout(chart)
    try:
        values: AnyValues = chosen.model.model_validate(merged)  # type: ignore[assignment]
    except ValidationError as exc:
        found = messages.findings(exc, merged, chosen.model) + _checks_without(merged, exc, chart)
    else:
        found = chosen.problems(values)
    if found:
        problems = _located(found, origins)
        raise ValuesError(sorted_problems(problems, [o.name for o in origins]))
    return values


def _checks_without(
    merged: dict[str, Any], exc: ValidationError, chart: Chart
) -> list[messages.Finding]:
    """The whole-values checks, run on the values without the keys that failed, when they fit.

    So that one run reports every problem, not the whole-values ones only after a second run.
    """
    pruned = copy.deepcopy(merged)
    for error in exc.errors(include_url=False):
        _drop(pruned, tuple(error["loc"]))
    chosen = layout(chart)
    try:
        values = chosen.model.model_validate(pruned)
    except ValidationError:
        return []
    failed = {_section(tuple(e["loc"])) for e in exc.errors(include_url=False)}
    return [
        (path, message) for path, message in chosen.problems(values) if _section(path) not in failed
    ]


_SUBCHARTS = ("kuberay-operator", "ray-cluster")


def _section(path: KeyPath) -> KeyPath:
    """The part of the values a path belongs to: a top-level key (in chart 1.14, one under a
    subchart's key), or one worker group."""
    depth = 2 if path[:1] and path[0] in _SUBCHARTS else 1
    if path[depth - 1 : depth] == ("additionalWorkerGroups",):
        depth += 1
    return path[:depth]


def _drop(data: Any, loc: KeyPath) -> None:
    """Remove the key at `loc` (the last mapping key on the way) from nested data."""
    keys = [i for i, part in enumerate(loc) if isinstance(part, str)]
    if not keys:
        return
    parent: Any = data
    for part in loc[: keys[-1]]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(parent, dict):
        parent.pop(loc[keys[-1]], None)


def sorted_problems(problems: Sequence[Problem], sources: Sequence[str] = ()) -> list[Problem]:
    """Without repeats, in the order of the sources (as given), then by line."""
    order = {
        source: i
        for i, source in enumerate(dict.fromkeys([*sources, *(p.source for p in problems)]))
    }
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (order[p.source], p.line or 0, p.column or 0))


def _read(name: str, problems: list[Problem]) -> Document | None:
    try:
        text = read_text(name, files.VALUES_FILE_LIMIT)
    except files.UnreadableFile as exc:
        problems.append(Problem(STANDARD_INPUT if name == STDIN else name, "", str(exc)))
        return None
    return _parsed(text, name, problems)


def _parsed(text: str, name: str, problems: list[Problem]) -> Document | None:
    try:
        return parse(text, name)
    except ValuesError as exc:
        problems.extend(exc.problems)
        return None


def _set_origin(
    kind: helm.SetKind, expression: str, problems: list[Problem], texts: dict[str, str]
) -> Document:
    """Where the values of one --set argument come from: named by its key, never its value."""
    label = f"--{kind} {','.join(helm.set_keys(expression, kind)) or expression}"
    if _not_text(expression):
        problems.append(Problem(label, "", "the value is not UTF-8 text"))
        return _given(label, {})
    scratch: dict[str, Any] = {}
    try:
        helm.apply_set(
            scratch,
            expression,
            kind=kind,
            read_file=_checked_reader(label, problems, texts),
        )
    except helm.SetSyntaxError as exc:
        problems.append(Problem(f"--{kind}", "", str(exc)))
    return _given(label, scratch)


def _given(label: str, data: dict[str, Any]) -> Document:
    """Values given as data (a `--set` argument, a mapping): every key on line 0."""
    return Document(label, data, found_lines={p: 0 for p in key_paths(data)})


def _not_text(argument: str) -> bool:
    """An argument with bytes that were not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        argument.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _checked_reader(
    label: str, problems: list[Problem], texts: dict[str, str]
) -> Callable[[str], str]:
    def read(name: str) -> str:
        if name not in texts:
            try:
                texts[name] = read_text(name, files.SET_FILE_LIMIT)
            except files.UnreadableFile as exc:
                problems.append(Problem(label, "", f"{name}: {exc}"))
                texts[name] = ""
        return texts[name]

    return read


def read_text(name: str, limit: int) -> str:
    """A regular file (`-`: standard input) of at most `limit` bytes, as UTF-8 text."""
    try:
        return files.decode_text(files.read_input(name, limit))
    except UnicodeDecodeError as exc:
        raise files.UnreadableFile(f"not UTF-8 text (byte {exc.start + 1})") from None


def key_paths(data: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    """The path of every key and list item in `data`, each before those under it."""
    found: list[KeyPath] = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += key_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += key_paths(value, (*prefix, index))
    return found


def _located(found: Sequence[tuple[KeyPath, str]], origins: Sequence[Document]) -> list[Problem]:
    """Each finding as a problem in the source that set the longest part of its key path (the
    last source to set it), with its line: the lines of all findings asked at once."""
    wanted = {path[:size] for path, _ in found for size in range(1, len(path) + 1)}
    lines = [origin.lines_of(wanted) for origin in origins] if found else []
    return [_locate(path, message, origins, lines) for path, message in found]


def _locate(
    path: KeyPath,
    message: str,
    origins: Sequence[Document],
    lines: Sequence[Mapping[KeyPath, int]],
) -> Problem:
    best: tuple[int, int, Document | None, KeyPath] = (0, -1, None, ())
    for rank, origin in enumerate(origins):
        for size in range(len(path), 0, -1):
            if path[:size] in lines[rank]:
                if (size, rank) > best[:2]:
                    best = (size, rank, origin, path[:size])
                break
    found = best[2]
    if found is None:
        return Problem("defaults", format_path(path), message)
    line = lines[best[1]].get(best[3]) or None  # 0: given as data, on no line of a file
    return Problem(found.name, format_path(path), message, line=line)
