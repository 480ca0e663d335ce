"""The `ray start` options of each Ray release, as `tools/ray_releases.py` read them.

The table (`ray_releases.json`) holds, per release, each option's name (the key a
rayStartParams entry uses), whether it takes a value or is a flag, and whether `ray start
--help` hides it or its help calls it deprecated. Removed options are derived here: an option
of an earlier release that a later one no longer has.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Literal

Source = Literal["cli", "wheel-source"]
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class StartOption:
    """One `ray start` option of one release."""

    name: str
    takes_value: bool
    hidden: bool
    deprecated: bool


@dataclass(frozen=True)
class RayRelease:
    """One Ray release: its `ray start` options and those earlier releases had."""

    version: str
    source: Source  # how the row was read: the release's own CLI, or its wheel's source
    options: MappingProxyType[str, StartOption]
    removed: MappingProxyType[str, str]  # option -> the last release that had it

    @property
    def key(self) -> tuple[int, int, int]:
        return version_key(self.version) or (0, 0, 0)


def version_key(text: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of `2.9.3`, `v2.9` or `2.9.3rc1`'s release; None if not a version."""
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


@cache
def _rows() -> dict[str, dict[str, Any]]:
    """The table's rows by release, oldest first (a render builds only the release it checks)."""
    raw = json.loads(resources.files(__package__).joinpath("ray_releases.json").read_text())
    return dict(sorted(raw["releases"].items(), key=lambda item: _key(item[0])))


def _key(version: str) -> tuple[int, int, int]:
    return version_key(version) or (0, 0, 0)


@cache
def _release(version: str) -> RayRelease:
    """One release of the table, with the options the releases before it had."""
    rows = _rows()
    seen: dict[str, str] = {}
    for earlier in itertools.takewhile(lambda v: v != version, rows):
        seen.update(dict.fromkeys(rows[earlier]["options"], earlier))
    row = rows[version]
    options = {name: _option(name, words) for name, words in row["options"].items()}
    removed = {name: last for name, last in seen.items() if name not in options}
    return RayRelease(version, row["source"], MappingProxyType(options), MappingProxyType(removed))


def releases() -> tuple[RayRelease, ...]:
    """Every release in the table, oldest first."""
    return tuple(_release(version) for version in _rows())


def _option(name: str, words: str) -> StartOption:
    kind, *marks = words.split()
    return StartOption(name, kind == "value", "hidden" in marks, "deprecated" in marks)


def newest() -> RayRelease:
    return _release(next(reversed(_rows())))


def find(ray_version: str) -> RayRelease | None:
    """The release a rayVersion names: exact, or the newest patch of `X.Y`; else None."""
    wanted = version_key(ray_version)
    if wanted is None:
        return None
    if re.fullmatch(r"v?\d+\.\d+", ray_version.strip()):
        same_minor = [v for v in _rows() if _key(v)[:2] == wanted[:2]]
        return _release(same_minor[-1]) if same_minor else None
    return next((_release(v) for v in _rows() if _key(v) == wanted), None)


def nearest(ray_version: str) -> RayRelease | None:
    """The newest release in the table not newer than `ray_version` (None: older than all)."""
    wanted = version_key(ray_version)
    earlier = [v for v in _rows() if wanted is not None and _key(v) <= wanted]
    return _release(earlier[-1]) if earlier else None


def release_for(ray_version: str | None) -> RayRelease | None:
    """The release a rayVersion is checked against: the one it names, else the nearest earlier
    one in the table; None when unset, unreadable or older than the table."""
    if not ray_version:
        return None
    return find(ray_version) or nearest(ray_version)


def has_option(ray_version: str | None, name: str) -> bool:
    """Whether `ray start` of that release has `--name` (True when the release is unknown)."""
    release = release_for(ray_version)
    return release is None or name in release.options
