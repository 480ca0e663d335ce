"""The two values layouts, and which one a set of values is written in.

Chart 1.13 (the guide's `ray-cluster`) keeps every key at the top; chart 1.14 (`ray`) puts
KubeRay's keys under `kuberay-operator:` and `ray-cluster:`. Both have Syntho's own keys
(`SynthoLicense`, `manualSecretName`, `storage`) at the top.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import BaseModel

from syntho_ray.errors import Problem
from syntho_ray.facts.charts import CHARTS, DEFAULT_CHART, Chart
from syntho_ray.values import checks
from syntho_ray.values.model import Values, chart_defaults
from syntho_ray.values.yamlfile import Document

if TYPE_CHECKING:
    from syntho_ray.values.model114 import Values114

# The values of either chart generation (chart 1.14's model is loaded only when used).
AnyValues: TypeAlias = "Values | Values114"

SHARED_KEYS = frozenset({"SynthoLicense", "manualSecretName", "storage"})
# Chart 1.14's top-level keys besides SHARED_KEYS: its two subcharts' (tests/test_architecture.py
# checks them against its model, which telling the layouts apart does not load).
OWN_KEYS_114 = frozenset({"kuberay-operator", "ray-cluster"})
# Where a 1.13 key lives in the 1.14 layout (for messages; `convert` carries the values).
MOVED_114 = {
    "clustername": "ray-cluster.fullnameOverride",
    "operatorImage": "kuberay-operator.image",
    "image": "ray-cluster.image",
    "head": "ray-cluster.head",
    "worker": "ray-cluster.worker",
    "additionalWorkerGroups": "ray-cluster.additionalWorkerGroups",
    "imagePullSecrets": "kuberay-operator.imagePullSecrets and ray-cluster.imagePullSecrets",
    "service": "kuberay-operator.service and ray-cluster.service",
    "annotations": "ray-cluster.annotations",
}


@dataclass(frozen=True)
class Layout:
    """One chart generation's values: its model, its defaults and the top-level keys only it has."""

    chart: Chart
    model: type[BaseModel]
    defaults: Callable[[], dict[str, Any]]
    problems: Callable[[Any], list[checks.Finding]]  # the whole-values checks
    warnings: Callable[[Any], list[str]]  # the sizing rules
    located: Callable[[Any, Mapping[str, Any]], list[checks.Finding]]  # warnings, key paths


@cache
def layout(chart: Chart) -> Layout:
    """The chart generation's layout (chart 1.14's model and checks are loaded on first use)."""
    if chart == "1.13":
        return Layout(
            "1.13",
            Values,
            chart_defaults,
            checks.problems,
            checks.sizing_warnings,
            checks.located_warnings,
        )
    from syntho_ray.values import checks114
    from syntho_ray.values.model114 import Values114, chart_defaults_114

    return Layout(
        "1.14",
        Values114,
        chart_defaults_114,
        checks114.problems,
        checks114.warnings,
        checks114.located_warnings,
    )


def own_keys(chart: Chart) -> frozenset[str]:
    """Top-level keys no other layout has."""
    if chart == "1.14":
        return OWN_KEYS_114
    return frozenset({f.alias or n for n, f in Values.model_fields.items()} - SHARED_KEYS)


def chart_of(values: AnyValues) -> Chart:
    """The generation a values model is of."""
    return "1.13" if isinstance(values, Values) else "1.14"


def layout_of(data: Mapping[str, Any]) -> Chart | None:
    """The generation whose layout `data` is written in, or None when it could be either."""
    found = _marks(data)
    return next(iter(found)) if len(found) == 1 else None


def _marks(data: Mapping[str, Any]) -> dict[Chart, list[str]]:
    """Per generation, the top-level keys of `data` only its layout has."""
    keys = [k for k in data if isinstance(k, str)] if isinstance(data, Mapping) else []
    found = {c: [k for k in keys if k in own_keys(c)] for c in CHARTS}
    return {chart: keys for chart, keys in found.items() if keys}


def choose(requested: Chart | None, sources: Sequence[Document]) -> Chart:
    """The generation to read the values as: `--chart`, else the one the values are written
    for, else the default. Raises ValuesError naming every key of the other layout."""
    from syntho_ray.errors import ValuesError

    marks = [(source, _marks(source.data)) for source in sources]
    seen = {chart for _, found in marks for chart in found}
    chosen = requested or ("1.14" if "1.14" in seen else DEFAULT_CHART)
    if seen <= {chosen}:
        return chosen
    why = f"--chart {requested}" if requested else _reason(marks)
    problems = [
        Problem(source.name, key, _misplaced(key, chart, chosen, why), line)
        for source, found in marks
        for chart, keys in found.items()
        if chart != chosen
        for key, line in _top_lines(source, keys).items()
    ]
    raise ValuesError(problems)


def _top_lines(source: Document, keys: Sequence[str]) -> dict[str, int]:
    """The line of each of these top-level keys in `source` (0: on no line of a file)."""
    lines = source.lines_of({(key,) for key in keys})
    return {key: lines.get((key,), 0) for key in keys}


def _reason(marks: Sequence[tuple[Document, dict[Chart, list[str]]]]) -> str:
    """Where the 1.14 layout shows: its first key and source."""
    source, found = next((s, f) for s, f in marks if "1.14" in f)
    key = found["1.14"][0]
    line = _top_lines(source, [key])[key]
    return f"{key}: in {source.name}{f':{line}' if line else ''}"


# syntho-ray's own settings of chart 1.13, which chart 1.14 has no key for.
ONLY_113 = {
    "platform": "--platform and platform: are for chart 1.13",
    "registry": "--registry and registry: are for chart 1.13",
    "kuberay": "chart 1.14 runs KubeRay 1.2.2",
}


def _misplaced(key: str, chart: Chart, chosen: Chart, why: str) -> str:
    head = f"a key of chart {chart}'s layout, but the values are read as chart {chosen} ({why})"
    if chosen == "1.14" and key in ONLY_113:
        return f"{head}; chart 1.14 has no such key ({ONLY_113[key]})"
    if why.startswith("--chart"):
        convert = f"syntho-ray convert --chart {chosen}"
        return f"{head}; drop --chart, or move the file over with `{convert}`"
    place = MOVED_114.get(key, f"kuberay-operator.{key}")
    return f"{head}; the two layouts do not mix: in chart 1.14 it is {place}"
