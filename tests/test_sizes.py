"""The package stays readable in pieces: no function over 50 lines, no command-line module over
250 lines (issue 9)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "syntho_ray"
LONGEST_FUNCTION = 50
LONGEST_CLI_MODULE = 250


def test_no_function_is_longer_than_50_lines() -> None:
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LONGEST_FUNCTION:
                    long.append(f"{path.relative_to(PACKAGE)}: {node.name} ({lines} lines)")
    assert long == []


def test_no_command_line_module_is_longer_than_250_lines() -> None:
    found = {
        p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("cli/*.py")
    }
    assert found and {name: n for name, n in found.items() if n > LONGEST_CLI_MODULE} == {}
