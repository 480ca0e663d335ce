"""syntho-ray: Syntho's Ray cluster on Kubernetes, from the Helm chart's values, without Helm.

The one-call form is `render_yaml(values)`; the typed steps under it are
`values_from_mapping` / `load_values` (values), `build_objects` (typed
`kubernetes` models), `render_documents` (plain data) and `dump_yaml`.
"""

from syntho_ray.errors import Problem, SynthoRayError, ValuesError
from syntho_ray.loading import ValuesInput, load_values, values_from_mapping
from syntho_ray.naming import Release
from syntho_ray.output import dump_yaml
from syntho_ray.render import build_objects, render_documents, render_yaml
from syntho_ray.values import Values

__all__ = [
    "Problem",
    "Release",
    "SynthoRayError",
    "Values",
    "ValuesError",
    "ValuesInput",
    "build_objects",
    "dump_yaml",
    "load_values",
    "render_documents",
    "render_yaml",
    "values_from_mapping",
]
