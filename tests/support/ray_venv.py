"""Ray from the package index in cached venvs (~/.cache/syntho-ray/ray-venvs), for the tests
that run the real `ray` CLI. A release with no wheel for this Python makes the test skip.
A venv is built under a lock: another test run that needs it at the same time waits for it."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from syntho_ray.facts import ray as ray_facts

CACHE = Path(os.environ.get("SYNTHO_RAY_CACHE", Path.home() / ".cache" / "syntho-ray"))
INSTALL_TIMEOUT = 1200  # seconds; a first install downloads some 200 MB


def ray_bin(version: str) -> Path:
    """The bin/ directory of a venv with Ray `version` and what its `ray start` needs: cluster
    storage (`--storage`, where the release has it) needs pyarrow, which Ray's images carry and
    ray[data] has. The test skips where that release does not install."""
    extras = "client,data" if ray_facts.has_option(version, "storage") else "client"
    bin_dir = ray_venv(version, extras)
    if isinstance(bin_dir, str):
        pytest.skip(bin_dir)
    return bin_dir


def ray_venv(version: str, extras: str = "client") -> Path | str:
    """The bin/ directory of a venv with `ray[extras]==version`, or why there is none."""
    venv = CACHE / "ray-venvs" / f"{version}-{extras.replace(',', '-')}"
    if (venv / "ready").exists():
        return venv / "bin"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with venv.with_name(f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if (venv / "ready").exists():  # built by the run that held the lock
            return venv / "bin"
        return _built(venv, version, extras)


def _built(venv: Path, version: str, extras: str) -> Path | str:
    """A new venv at `venv` with `ray[extras]==version`, or why there is none."""
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
    ]
    try:
        done = subprocess.run(
            [*pip, "--only-binary=:all:", f"ray[{extras}]=={version}"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(venv, ignore_errors=True)
        return f"installing ray[{extras}]=={version} took over {INSTALL_TIMEOUT} s"
    if done.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        return (
            f"ray[{extras}]=={version} does not install for Python {sys.version.split()[0]}: {last}"
        )
    (venv / "ready").touch()
    return venv / "bin"
