"""The command line in-process (Typer's test runner), its stdout and stderr kept apart."""

from __future__ import annotations

import inspect

from typer.testing import CliRunner

# Click 8.2 dropped `mix_stderr` and always keeps stdout and stderr apart.
_MIX = "mix_stderr" in inspect.signature(CliRunner.__init__).parameters
RUNNER = CliRunner(mix_stderr=False) if _MIX else CliRunner()  # type: ignore[call-arg]
