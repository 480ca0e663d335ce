"""From values files and `--set` arguments to a validated `Values`, the way Helm combines them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from syntho_ray import checks, helm_values
from syntho_ray.errors import Problem, ValuesError
from syntho_ray.kube import format_path
from syntho_ray.suggest import suggestion, value_suggestion
from syntho_ray.values import Values, chart_defaults
from syntho_ray.yamlfile import Document, KeyPath, parse

STDIN = "-"  # `-f -` reads the values from standard input
SET_KINDS = ("set-json", "set", "set-string", "set-file")  # Helm applies them in this order


@dataclass(frozen=True)
class ValuesInput:
    """What the user gave: values files in order, and the `--set` family of arguments."""

    files: Sequence[str] = ()
    set_values: Sequence[str] = ()
    set_string: Sequence[str] = ()
    set_json: Sequence[str] = ()
    set_file: Sequence[str] = ()


@dataclass
class _Origin:
    """One source of values: a file (with lines) or a `--set` argument."""

    label: str
    lines: dict[KeyPath, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """Validated values, and what the user supplied before the chart defaults were added."""

    values: Values
    user: dict[str, Any]


def load_values(given: ValuesInput | None = None) -> Values:
    """Read, merge and validate; raise ValuesError with every problem found."""
    return load(given).values


def load(given: ValuesInput | None = None) -> Loaded:
    """Read, merge and validate; raise ValuesError with every problem found."""
    given = given or ValuesInput()
    problems: list[Problem] = []
    documents = [_read(name, problems) for name in given.files]
    origins = [_Origin(d.name, d.lines) for d in documents if d is not None]
    sets = {
        "set-json": given.set_json,
        "set": given.set_values,
        "set-string": given.set_string,
        "set-file": given.set_file,
    }
    for kind in SET_KINDS:
        origins += [_set_origin(kind, expr, problems) for expr in sets[kind]]
    if problems:
        raise ValuesError(problems)
    user = helm_values.combine(
        {},
        [d.data for d in documents if d is not None],
        set_json=given.set_json,
        set_values=given.set_values,
        set_string=given.set_string,
        set_file=given.set_file,
        read_file=_read_text,
    )
    merged = helm_values.coalesce(user, chart_defaults())
    return Loaded(validate(merged, origins), user)


def values_from_mapping(data: Mapping[str, Any], *, source: str = "values") -> Values:
    """Values from user data (already parsed), coalesced over the chart defaults."""
    merged = helm_values.coalesce(dict(data), chart_defaults())
    try:
        return validate(merged)
    except ValuesError:  # again, with every key's source: only now worth finding
        return validate(merged, [_Origin(source, {p: 0 for p in _paths(dict(data))})])


def validate(merged: dict[str, Any], origins: Sequence[_Origin] = ()) -> Values:
    """`Values` from merged data, every problem located in the source that set it."""
    try:
        values = Values.model_validate(merged)
    except ValidationError as exc:
        findings = _messages(exc)
    else:
        findings = checks.problems(values)
    if findings:
        problems = [_locate(path, message, origins) for path, message in findings]
        raise ValuesError(sorted_problems(problems))
    return values


def sorted_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Without repeats, in the order of the sources, then by line."""
    order = {source: i for i, source in enumerate(dict.fromkeys(p.source for p in problems))}
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (order[p.source], p.line, p.column))


def _read(name: str, problems: list[Problem]) -> Document | None:
    try:
        raw = sys.stdin.buffer.read() if name == STDIN else Path(name).read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, "", "file not found"))
        return None
    except OSError as exc:
        problems.append(Problem(name, "", f"cannot read: {exc.strerror}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(name, "", f"not UTF-8 text (byte {exc.start + 1})"))
        return None
    try:
        return parse(text, name)
    except ValuesError as exc:
        problems.extend(exc.problems)
        return None


def _read_text(name: str) -> str:
    return Path(name).read_text(encoding="utf-8")


def _set_origin(kind: str, expression: str, problems: list[Problem]) -> _Origin:
    label = f"--{kind} {expression}"
    scratch: dict[str, Any] = {}
    try:
        helm_values.apply_set(
            scratch,
            expression,
            kind=kind,  # type: ignore[arg-type]
            read_file=_checked_reader(label, problems),
        )
    except helm_values.SetSyntaxError as exc:
        problems.append(Problem(f"--{kind}", "", str(exc)))
    return _Origin(label, {p: 0 for p in _paths(scratch)})


def _checked_reader(label: str, problems: list[Problem]) -> Callable[[str], str]:
    def read(name: str) -> str:
        try:
            return _read_text(name)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(label, "", f"cannot read {name}: {exc}"))
            return ""

    return read


def _paths(data: Any, prefix: KeyPath = ()) -> list[KeyPath]:
    found: list[KeyPath] = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


_UNION_TAGS = {"str", "int", "float", "bool", "dict", "list", "none"}


def _messages(exc: ValidationError) -> list[tuple[KeyPath, str]]:
    out: list[tuple[KeyPath, str]] = []
    for error in exc.errors(include_url=False):
        loc: KeyPath = _without_union_tag(tuple(error["loc"]))
        ctx = error.get("ctx") or {}
        if error["type"] == "kubernetes":
            out += [((*loc, *sub), message) for sub, message in ctx["problems"]]
        elif error["type"] == "extra_forbidden":
            key = str(loc[-1]) if loc else ""
            out.append((loc, "unknown key" + suggestion(key, _known_keys(loc[:-1]))))
        else:
            out.append((loc, _describe(error)))
    return out


def _known_keys(path: KeyPath) -> list[str]:
    """The keys the values model accepts at `path` (a mapping of the model)."""
    annotation: Any = Values
    for part in path:
        model = _model_in(annotation)
        if model is not None:
            info = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
            annotation = info.annotation if info else None
        else:  # a map of models keyed by name (additionalWorkerGroups)
            args = [a for a in get_args(annotation) if a is not type(None)]
            dicts = [a for a in args if get_origin(a) is dict] or [annotation]
            annotation = get_args(dicts[0])[1] if get_args(dicts[0]) else None
    model = _model_in(annotation)
    return [f.alias or n for n, f in model.model_fields.items()] if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    options = [annotation, *get_args(annotation)]
    return next((o for o in options if isinstance(o, type) and issubclass(o, BaseModel)), None)


def _without_union_tag(loc: KeyPath) -> KeyPath:
    """Pydantic names the union member that failed last in the location; drop it."""
    last = loc[-1] if loc else None
    is_tag = isinstance(last, str) and (last in _UNION_TAGS or "[" in last)
    return loc[:-1] if is_tag else loc


def _describe(error: Any) -> str:
    message = str(error["msg"])
    value = error.get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        message += f" (got {value!r}){value_suggestion(value)}"
    return message


def _locate(path: KeyPath, message: str, origins: Sequence[_Origin]) -> Problem:
    best: tuple[int, int, _Origin | None, KeyPath] = (0, -1, None, ())
    for rank, origin in enumerate(origins):
        for size in range(len(path), 0, -1):
            if path[:size] in origin.lines:
                if (size, rank) > best[:2]:
                    best = (size, rank, origin, path[:size])
                break
    found = best[2]
    if found is None:
        return Problem("defaults", format_path(path), message)
    return Problem(found.label, format_path(path), message, line=found.lines.get(best[3], 0))
