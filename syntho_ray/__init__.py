"""syntho-ray: Syntho's Ray cluster on Kubernetes, from the Helm chart's values, without Helm.

The one-call form is `render_yaml(values)`; the typed steps under it are
`values_from_mapping` / `load_values` (values), `build_objects` (typed
`kubernetes` models), `render_documents` (plain data) and `dump_yaml`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syntho_ray.build.naming import Release
    from syntho_ray.errors import Problem, SynthoRayError, ValuesError
    from syntho_ray.output.stream import dump_yaml
    from syntho_ray.render import (
        RenderNotes,
        build_objects,
        render_documents,
        render_notes,
        render_yaml,
    )
    from syntho_ray.values.loading import ValuesInput, load_values, values_from_mapping
    from syntho_ray.values.model import Values

__version__ = "0.1.0"

# Where each name lives. It is imported on first use, so that importing the package, or a
# command line that needs little of it, does not pay for the values model and the builders.
_HOMES = {
    "Problem": "syntho_ray.errors",
    "SynthoRayError": "syntho_ray.errors",
    "ValuesError": "syntho_ray.errors",
    "ValuesInput": "syntho_ray.values.loading",
    "load_values": "syntho_ray.values.loading",
    "values_from_mapping": "syntho_ray.values.loading",
    "Release": "syntho_ray.build.naming",
    "dump_yaml": "syntho_ray.output.stream",
    "build_objects": "syntho_ray.render",
    "render_documents": "syntho_ray.render",
    "render_yaml": "syntho_ray.render",
    "render_notes": "syntho_ray.render",
    "RenderNotes": "syntho_ray.render",
    "Values": "syntho_ray.values.model",
}

__all__ = [
    "Problem",
    "Release",
    "RenderNotes",
    "SynthoRayError",
    "Values",
    "ValuesError",
    "ValuesInput",
    "build_objects",
    "dump_yaml",
    "load_values",
    "render_documents",
    "render_notes",
    "render_yaml",
    "values_from_mapping",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
