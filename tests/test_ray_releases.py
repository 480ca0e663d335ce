"""The table of `ray start` options (syntho_ray/facts/ray_releases.json) and its reader.

The table is checked against the real `ray start --help` of the newest release, 2.9.3 and 2.47.1,
installed from the package index into the cached venvs the head test uses.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from support.ray_venv import ray_bin

from syntho_ray.facts import ray as ray_facts

TABLE = Path(ray_facts.__file__).with_name("ray_releases.json")
_DECLARATION = re.compile(r"^  (-\S.*?)(?:\s{2,}(.*))?$")


def help_options(text: str) -> dict[str, tuple[bool, str]]:
    """`ray start --help` as {long option: (takes a value, its help text)}."""
    found: dict[str, tuple[bool, str]] = {}
    names: list[str] = []
    for line in text.splitlines():
        declared = _DECLARATION.match(line)
        if declared:
            tokens = declared.group(1).replace(",", " ").split()
            names = [t[2:] for t in tokens if t.startswith("--")]
            takes_value = any(not t.startswith("-") and t != "/" for t in tokens)
            for name in names:
                found[name] = (takes_value, declared.group(2) or "")
        elif line.startswith("    ") and names:  # the help text goes on
            for name in names:
                found[name] = (found[name][0], f"{found[name][1]} {line.strip()}")
        else:
            names = []
    return found


@pytest.mark.ray
# The newest, 2.9.3 (still with `--storage`) and 2.47.1 (its `--storage` deprecated).
@pytest.mark.parametrize("version", [ray_facts.newest().version, "2.9.3", "2.47.1"])
def test_table_matches_ray_start_help(version: str) -> None:
    release = ray_facts.find(version)
    assert release is not None and release.version == version
    assert release.source == "cli"
    bin_dir = ray_bin(version)  # the venvs of the Ray nodes' tests
    shown = subprocess.run(
        [str(bin_dir / "ray"), "start", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "COLUMNS": "100", "LC_ALL": "C.UTF-8"},
    ).stdout
    cli = help_options(shown)
    assert cli.pop("help") == (False, "Show this message and exit.")  # click's own
    visible = {name: o for name, o in release.options.items() if not o.hidden}
    assert set(cli) == set(visible)
    assert {n: v for n, (v, _) in cli.items()} == {n: o.takes_value for n, o in visible.items()}
    deprecated = {n for n, (_, text) in cli.items() if "deprecat" in text.lower()}
    assert deprecated == {n for n, o in visible.items() if o.deprecated}
    if version == "2.47.1":
        assert "storage" in deprecated


def test_table_covers_every_release_from_2_0_and_says_how_each_was_read() -> None:
    releases = ray_facts.releases()
    assert releases[0].version == "2.0.0"
    assert [r.key for r in releases] == sorted(r.key for r in releases)
    assert {r.source for r in releases} == {"cli", "wheel-source"}
    raw = json.loads(TABLE.read_text())
    for version, row in raw["releases"].items():
        assert row["wheel"].startswith(f"ray-{version}-")
        assert row["source"] == "cli" or "why" in row or "-cp311-" not in row["wheel"]
    assert TABLE.read_text() == json.dumps(raw, indent=1, sort_keys=True) + "\n"


def test_every_release_has_the_options_kuberay_passes() -> None:
    for release in ray_facts.releases():
        for name in ("head", "address", "block", "num-cpus", "memory", "metrics-export-port"):
            assert name in release.options, (release.version, name)
        assert not release.options["block"].takes_value
        assert release.options["num-cpus"].takes_value


def test_storage_is_removed_after_the_last_release_that_has_it() -> None:
    newest = ray_facts.newest()
    assert "storage" not in newest.options
    last = newest.removed["storage"]
    assert "storage" in ray_facts.find(last).options  # type: ignore[union-attr]
    assert ray_facts.has_option("2.9.3", "storage")
    assert not ray_facts.has_option(newest.version, "storage")


def test_a_ray_version_finds_its_release() -> None:
    assert ray_facts.find("2.9.3").version == "2.9.3"  # type: ignore[union-attr]
    assert ray_facts.find("v2.9.3").version == "2.9.3"  # type: ignore[union-attr]
    assert ray_facts.find("2.9").version == "2.9.3"  # type: ignore[union-attr]  # newest patch
    assert ray_facts.find("2.15.0") is None  # not on the package index
    assert ray_facts.release_for("2.15.0").version == "2.12.0"  # type: ignore[union-attr]
    assert ray_facts.release_for("1.13.0") is None
    assert ray_facts.release_for("nightly") is None
    assert ray_facts.release_for(None) is None
    assert ray_facts.has_option("1.13.0", "storage")  # unknown: assumed present
