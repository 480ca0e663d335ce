"""The `syntho-ray` command line: one module per group of commands, all on one `app`.

A new process declares only the command it runs (`main`): `render` imports nothing of the
cluster commands. `app`, asked of this package, has every command (tests, `--help`).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer
    from typer.models import CommandInfo

# The module declaring each command, in the order `syntho-ray --help` lists them (Helm's
# verbs, hidden, last).
COMMANDS = {
    **dict.fromkeys(("render", "validate"), "render"),
    **dict.fromkeys(("apply", "check", "diff"), "cluster"),
    **dict.fromkeys(("status", "delete", "migrate"), "release"),
    **dict.fromkeys(("images", "init", "schema"), "kits"),
    "convert": "convert",
    **dict.fromkeys(("template", "install", "upgrade", "uninstall"), "helm"),
}
_ORDER = list(COMMANDS)


def __getattr__(name: str) -> Any:
    if name == "app":
        return declared(None)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def declared(command: str | None) -> typer.Typer:
    """The application with `command` declared; with every command if None or not a command
    (click then answers an unknown name as usual)."""
    every = list(dict.fromkeys(COMMANDS.values()))
    for module in [COMMANDS[command]] if command in COMMANDS else every:
        importlib.import_module(f"{__name__}.{module}")
    from syntho_ray.cli.common import app

    if command not in COMMANDS:  # a command module imported on its own first came first
        app.registered_commands.sort(key=lambda info: _ORDER.index(_name(info)))
    return app


def _name(info: CommandInfo) -> str:
    return info.name or getattr(info.callback, "__name__", "").replace("_", "-")


def command_named(arguments: list[str]) -> str | None:
    """The command a command line runs (its first word), or None: no command, a root option
    first (`-h status` shows the root's help), or the shell's completion asking."""
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None
    return arguments[0] if arguments and not arguments[0].startswith("-") else None


def main() -> None:
    """Console entry point."""
    from syntho_ray import collector
    from syntho_ray.k8s import client

    client.load_models_only()  # a new process: the models, not the whole `kubernetes` client
    # No pydantic plugins (they instrument validation for services): pydantic would read the
    # entry points of every installed distribution before the first model is built.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        declared(command_named(sys.argv[1:]))()
    finally:
        collector.freeze_for_exit()
