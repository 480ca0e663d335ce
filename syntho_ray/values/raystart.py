"""`ray start` parameters checked against the Ray release that runs them.

`check_start_params` is a pure function of one group's start parameters and the Ray version
(`head.rayVersion`), so that every chart generation's values can use it. KubeRay passes each
entry as `--key=value`, and `true`/`false` as a bare `--key` (or nothing), except for
`log-color` and `include-dashboard`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from syntho_ray.facts import ray as ray_facts
from syntho_ray.facts.guide import DUTCH, suggestion

TAKES_TRUE_FALSE = ("log-color", "include-dashboard")  # KubeRay passes these as --key=value


@dataclass(frozen=True)
class StartParamFinding:
    """One problem with one start parameter; an error stops the render, a warning does not."""

    key: str
    message: str
    error: bool


def checked_release(ray_version: str | None) -> ray_facts.RayRelease | None:
    """The release start parameters are checked against: the one `ray_version` names (or the
    nearest earlier one in the table), the newest when unset; None when it is not a Ray
    release the table covers."""
    return ray_facts.release_for(ray_version) if ray_version else ray_facts.newest()


def check_start_params(
    params: Mapping[str, object], ray_version: str | None
) -> list[StartParamFinding]:
    """Every problem of `params` (a group's rayStartParams or initArgs) for that Ray version.

    Unknown and removed options and flags given a value are errors, deprecated options
    warnings; with no Ray version everything is a warning, checked against the newest release.
    A key set to null is left out of the render, so it is not checked.
    """
    release = checked_release(ray_version)
    found = []
    for key, value in params.items():
        if value is None:
            continue
        if key in DUTCH:  # whatever the release: the Dutch guide's word, never an option
            found.append(
                StartParamFinding(key, f"unknown `ray start` option{suggestion(key, [])}", True)
            )
        elif release is not None:
            found += _checked(key, value, release, sure=bool(ray_version))
    return found


def _checked(
    key: str, value: object, release: ray_facts.RayRelease, *, sure: bool
) -> list[StartParamFinding]:
    ray = f"Ray {release.version}"
    option = release.options.get(key)
    if option is None:
        return [StartParamFinding(key, _missing(key, release), sure)]
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    boolean = text.lower() in ("true", "false") and key not in TAKES_TRUE_FALSE
    if option.takes_value and boolean:
        return [StartParamFinding(key, f"`--{key}` takes a value in {ray}, not {text}", sure)]
    if not option.takes_value and not boolean:
        message = f"`--{key}` is a flag in {ray}: write true or false, not {text!r}"
        return [StartParamFinding(key, message, sure)]
    if option.deprecated:
        return [StartParamFinding(key, f"`--{key}` is deprecated in {ray}", False)]
    return []


def _missing(key: str, release: ray_facts.RayRelease) -> str:
    ray = f"Ray {release.version}"
    last = release.removed.get(key)
    if last is not None:
        return f"`ray start` of {ray} has no `--{key}` any more (the last release with it: {last})"
    later = [r.version for r in ray_facts.releases() if r.key > release.key and key in r.options]
    if later:
        return f"`ray start` of {ray} has no `--{key}` yet (it comes with Ray {later[0]})"
    return f"unknown `ray start` option in {ray}{suggestion(key, release.options)}"
