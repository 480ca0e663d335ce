"""Resolved values: the settings of a release in the one shape the builders read.

`values/` reads and checks a values file in its chart generation's layout; `resolve` turns
either generation's model into a `Resolved` (the 1.14 layout with the template defaults made
explicit, plus the generation's object differences from `facts.charts`); `build/` makes the
objects from it.
"""

from __future__ import annotations

from syntho_ray.resolve.resolved import Resolved, resolve

__all__ = ["Resolved", "resolve"]
