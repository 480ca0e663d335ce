"""Option groups: options several commands take, declared once, handed over as one object.

A group is a frozen dataclass whose fields are Typer options (`Connection`: --kubeconfig,
--context, --request-timeout). A command takes groups with `@app.command(cls=taking(Group,
...))`: their options come first in its help (those of `after=` groups after its own),
`--debug` last, and `chosen(ctx, Group)` is the group's object made of them. Every command
runs under `reported`: our errors become one line each and their exit code.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar, cast

import typer
from typer.core import TyperCommand

from syntho_ray.cli.common import Debug, reported

T = TypeVar("T")
Group = Callable[..., Any]


def debugging(debug: Debug = False) -> bool:
    """The option every command takes last."""
    return debug


class Command(TyperCommand):
    """A command with the options of its groups, run under `reported`."""

    groups: tuple[Group, ...] = ()
    after: tuple[Group, ...] = ()  # groups whose options follow the command's own
    failed: int | None = None  # the exit code of every error, if the command has one (diff)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = [p for group in self.groups for p in _params(group)]
        last = [p for group in (*self.after, debugging) for p in _params(group)]
        self.params = [*first, *self.params, *last]

    def invoke(self, ctx: Any) -> Any:
        """Make each group's object of its options; run the command with the rest."""
        groups = (*self.groups, *self.after, debugging)
        made = {group: _take(ctx.params, group) for group in groups}
        with reported(made.pop(debugging)(), failed=self.failed):
            ctx.meta[_MADE] = {group: make() for group, make in made.items()}
            return super().invoke(ctx)


def taking(
    *groups: Group, after: tuple[Group, ...] = (), failed: int | None = None
) -> type[Command]:
    """The command class that takes these groups' options (`after`, `failed`: see `Command`)."""
    settings = {"groups": groups, "after": after, "failed": failed}
    return cast(type[Command], type("Command", (Command,), settings))


def chosen(ctx: typer.Context, group: type[T]) -> T:
    """The object of `group` the command line's options made."""
    made: T = ctx.meta[_MADE][group]
    return made


_MADE = "syntho_ray.option_groups"


@cache
def _params(group: Group) -> tuple[Any, ...]:
    """The click parameters of a group's options, as Typer makes them from its declaration:
    made once, shared by every command that takes the group (they keep no state of one)."""
    holder = typer.Typer(add_completion=False)
    holder.command()(group)
    return tuple(typer.main.get_command(holder).params)


def _take(params: dict[str, Any], group: Group) -> Callable[[], Any]:
    """A group's options taken out of the parameters, and the call that makes its object."""
    given = {name: params.pop(name) for name in inspect.signature(group).parameters}
    return lambda: group(**given)
