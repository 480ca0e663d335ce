"""Resolved values: the settings of a release in the one shape the builders read.

`values/` reads and checks a values file in its chart generation's layout; `resolve` turns
either generation's model into a `Resolved` (the 1.14 layout with the template defaults made
explicit, plus the generation's object differences from `facts.charts`); `build/` makes the
objects from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from syntho_ray.resolve.resolved import Resolved

if TYPE_CHECKING:
    from syntho_ray.values.model import Values
    from syntho_ray.values.model114 import Values114

__all__ = ["Resolved", "resolve"]


def resolve(values: Values | Values114) -> Resolved:
    """The values of either chart generation as the builders read them (chart 1.13's after
    its platform and mirror registry)."""
    from syntho_ray.values.model import Values

    if isinstance(values, Values):
        from syntho_ray.resolve.chart113 import resolve_113

        return resolve_113(values)
    from syntho_ray.resolve.chart114 import resolve_114

    return resolve_114(values)
