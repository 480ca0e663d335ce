"""Write syntho_ray/facts/ray_releases.json: the `ray start` options of every Ray release.

Run by a developer when Ray releases (it needs the package index and a few GB of cache; CI
never runs it): ``python tools/ray_releases.py``. For each release from 2.0.0 to the newest
the index has:

- ``cli``: the release's wheel is installed without dependencies beside the dependencies of
  the newest release, and its own click command `ray start` is read (names, flag or value,
  hidden, help text). This is the real CLI, the one `ray start --help` prints.
- ``wheel-source``: where no wheel fits this Python or the release does not import here, the
  decorators of `start` in the wheel's ``ray/scripts/scripts.py`` are read statically. Where
  both ways work, the script compares them and stops on any difference.

An option counts as deprecated when its help text says so. Removed options are not stored:
the reader derives them (present in an earlier release, absent in a later one).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "syntho_ray" / "facts" / "ray_releases.json"
CACHE = Path.home() / ".cache" / "syntho-ray" / "ray-releases"
OLDEST = (2, 0, 0)
OLDER_NEEDS = ["numpy<2", "attrs", "aiosignal", "frozenlist", "jsonschema", "msgpack"]
DEPRECATED = re.compile(r"deprecat", re.IGNORECASE)

# Runs inside the release's environment: the click command behind `ray start`.
INTROSPECT = """
import json, click
from ray.scripts.scripts import start
rows = []
for p in start.params:
    if isinstance(p, click.Option):
        rows.append({"names": list(p.opts) + list(p.secondary_opts),
                     "flag": bool(p.is_flag or p.count), "hidden": bool(p.hidden),
                     "help": p.help or "", "deprecated": bool(getattr(p, "deprecated", False))})
print(json.dumps(rows))
"""


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)


def index_versions(python_version: str | None) -> list[str]:
    """Final Ray releases the index has wheels of (for this Python, or for `python_version`)."""
    cmd = [sys.executable, "-m", "pip", "index", "versions", "ray"]
    if python_version:
        cmd += ["--python-version", python_version, "--only-binary=:all:"]
    out = run(cmd).stdout
    line = next(x for x in out.splitlines() if x.startswith("Available versions:"))
    found = [v.strip() for v in line.split(":", 1)[1].split(",")]
    return [v for v in found if re.fullmatch(r"\d+\.\d+\.\d+", v) and key(v) >= OLDEST]


def key(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in version.split("."))


def download(version: str, python_version: str | None) -> Path | None:
    """The release's wheel (for this Python, or for `python_version`), cached."""
    dest = CACHE / "wheels" / (python_version or "here")
    dest.mkdir(parents=True, exist_ok=True)
    found = sorted(dest.glob(f"ray-{version}-*.whl"))
    if found:
        return found[0]
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(dest)]
    if python_version:
        cmd += ["--python-version", python_version, "--only-binary=:all:"]
    if run([*cmd, f"ray=={version}"]).returncode != 0:
        return None
    found = sorted(dest.glob(f"ray-{version}-*.whl"))
    return found[0] if found else None


def deps_python(newest: str) -> Path:
    """A venv holding the dependencies of the newest release (and not Ray itself)."""
    venv = CACHE / f"deps-{newest}"
    python = venv / "bin" / "python"
    if not (venv / "ready").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q"]
        # Older releases import a few packages the newest no longer needs.
        subprocess.run([*pip, f"ray[client]=={newest}", *OLDER_NEEDS], check=True)
        subprocess.run([str(python), "-m", "pip", "uninstall", "-q", "-y", "ray"], check=True)
        (venv / "ready").touch()
    return python


def from_cli(python: Path, wheel: Path) -> list[dict[str, Any]] | str:
    """The options of the release's own click command, or why they could not be read."""
    target = CACHE / "target"
    shutil.rmtree(target, ignore_errors=True)
    pip = [
        str(python),
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-compile",
        "--target",
        str(target),
    ]
    done = run([*pip, str(wheel)])
    if done.returncode != 0:
        return "install failed: " + done.stderr.strip().splitlines()[-1]
    read = run(
        [str(python), "-c", INTROSPECT],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin", "HOME": str(Path.home())},
    )
    shutil.rmtree(target, ignore_errors=True)
    if read.returncode != 0:
        return "import failed: " + (read.stderr.strip().splitlines() or ["?"])[-1]
    rows: list[dict[str, Any]] = json.loads(read.stdout.strip().splitlines()[-1])
    return rows


def from_source(wheel: Path) -> list[dict[str, Any]]:
    """The options of `start`, read from the decorators in the wheel's source."""
    with zipfile.ZipFile(wheel) as z:
        scripts = ast.parse(_member(z, "ray/scripts/scripts.py"))
        logging = ast.parse(_member(z, "ray/autoscaler/_private/cli_logger.py"))
    start = next(
        n for n in ast.walk(scripts) if isinstance(n, ast.FunctionDef) and n.name == "start"
    )
    rows = [_option(d) for d in start.decorator_list if _is_option(d)]
    if any(_name(d) == "add_click_logging_options" for d in start.decorator_list):
        shared = next(
            n.value
            for n in ast.walk(logging)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "CLICK_LOGGING_OPTIONS" for t in n.targets)
        )
        assert isinstance(shared, ast.List)
        rows += [_option(d) for d in shared.elts if _is_option(d)]
    return rows


def _member(wheel: zipfile.ZipFile, path: str) -> bytes:
    """A file of the package (older wheels keep it under ray-X.data/purelib/)."""
    name = next(n for n in wheel.namelist() if n == path or n.endswith("/purelib/" + path))
    return wheel.read(name)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return _name(node.func)
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _is_option(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _name(node) == "click.option"


def _text(node: ast.expr | None) -> str:
    """The literal text of a (possibly concatenated or formatted) string expression."""
    if node is None:
        return ""
    return " ".join(
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def _option(call: ast.expr) -> dict[str, Any]:
    assert isinstance(call, ast.Call)
    kw = {k.arg: k.value for k in call.keywords if k.arg}
    decls = [a.value for a in call.args if isinstance(a, ast.Constant)]
    names = [n for d in decls for n in d.split("/") if n.strip().startswith("-")]
    truthy = {k for k, v in kw.items() if isinstance(v, ast.Constant) and v.value is True}
    flag = bool({"is_flag", "count"} & truthy) or any("/" in d for d in decls)
    help_text = _text(kw.get("help"))
    return {
        "names": [n.strip() for n in names],
        "flag": flag,
        "hidden": "hidden" in truthy,
        "help": help_text,
        "deprecated": "deprecated" in truthy,
    }


def table(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Long option name (as a rayStartParams key) -> "flag"/"value" [hidden] [deprecated]."""
    out: dict[str, str] = {}
    for row in rows:
        words = ["flag" if row["flag"] else "value"]
        if row["hidden"]:
            words.append("hidden")
        if row["deprecated"] or DEPRECATED.search(row["help"]):
            words.append("deprecated")
        for name in row["names"]:
            if name.startswith("--"):
                out[name[2:]] = " ".join(words)
    return dict(sorted(out.items()))


def release(version: str, here: set[str], python: Path) -> dict[str, Any]:
    wheel = download(version, None if version in here else "3.10")
    if wheel is None:
        raise SystemExit(f"ray {version}: no wheel could be downloaded")
    static = table(from_source(wheel))
    entry: dict[str, Any] = {"source": "wheel-source", "wheel": wheel.name}
    if version in here:
        live = from_cli(python, wheel)
        if isinstance(live, str):
            entry["why"] = live
        else:
            entry["source"] = "cli"
            if table(live) != static:
                raise SystemExit(f"ray {version}: the wheel's source and its CLI differ")
            static = table(live)
    entry["options"] = static
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", help="comma-separated releases (default: all)")
    args = parser.parse_args()
    here = set(index_versions(None))
    versions = sorted(here | set(index_versions("3.10")), key=key)
    if args.only:
        versions = [v for v in versions if v in args.only.split(",")]
    python = deps_python(max(here, key=key))
    releases = {}
    for version in versions:
        releases[version] = release(version, here, python)
        print(version, releases[version]["source"], releases[version].get("why", ""), flush=True)
    data = {
        "about": "`ray start` options of each Ray release; written by tools/ray_releases.py",
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "releases": releases,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
