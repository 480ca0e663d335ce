"""`python -m syntho_ray` as a real process: exit code, output, peak memory, and no hang.

The hostile-input tests go through the command line, as an attacker or a careless script
would; each run is bounded by a timeout (a hang is a failure, not a stuck test run) and
reports the child's own peak resident memory (from `wait4`, so other children don't count).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MB = 1024 * 1024


@dataclass(frozen=True)
class Ran:
    """What one run of the command line did."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss: int  # bytes
    hung: bool  # killed at the timeout

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        """The lines of stderr that are errors."""
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def syntho_ray(
    *args: str | Path,
    stdin: bytes | Path | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    env: Mapping[str, str] | None = None,
    umask: int | None = None,
    memory_limit: int = 3 * 1024 * MB,
    stdout: BinaryIO | None = None,
) -> Ran:
    """Run `python -m syntho_ray ARGS`; killed (and `hung`) after `timeout` seconds.

    Its address space is capped at `memory_limit`, so that an unbounded read fails fast
    instead of taking the machine's memory. `stdout` replaces the captured standard output.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        source = _stdin(stdin)
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "syntho_ray", *map(str, args)],
                stdin=source,
                stdout=stdout or out,
                stderr=err,
                cwd=cwd,
                env={**os.environ, **(env or {})},
                preexec_fn=lambda: _limits(umask, memory_limit),
            )
        finally:
            if source is not None and source is not subprocess.DEVNULL:
                source.close()
        killer = threading.Timer(timeout, process.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Ran(
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            peak_rss=usage.ru_maxrss * 1024,
            hung=killer.finished.is_set() and process.returncode < 0,
        )


def _limits(umask: int | None, memory_limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    if umask is not None:
        os.umask(umask)


def _stdin(stdin: bytes | Path | None) -> object:
    if stdin is None:
        return subprocess.DEVNULL
    if isinstance(stdin, Path):
        return stdin.open("rb")
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed after the child starts)
    handle.write(stdin)
    handle.seek(0)
    return handle


def baseline_rss() -> int:
    """Peak memory of an ordinary render of the defaults (the interpreter and its imports)."""
    ran = syntho_ray("render", "-q", "--set", "SynthoLicense=baseline-license")
    assert ran.returncode == 0, ran.stderr
    return ran.peak_rss


def one_clear_error(ran: Ran, *, code: int = 1) -> str:
    """The single error line of a refused run: no traceback, no 'unexpected', its exit code."""
    assert not ran.hung, f"hung: {ran.stderr}"
    assert ran.returncode == code, (ran.returncode, ran.stderr)
    assert "Traceback" not in ran.stderr, ran.stderr
    assert "unexpected" not in ran.stderr, ran.stderr
    errors = ran.error_lines()
    assert errors, ran.stderr
    return "\n".join(errors)
