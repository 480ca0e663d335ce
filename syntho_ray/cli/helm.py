"""Helm's verbs, for the hands that type them: each answers with the syntho-ray command to use."""

from __future__ import annotations

from collections.abc import Callable

import typer

from syntho_ray.cli.common import app, say
from syntho_ray.errors import USAGE

OURS = {
    "template": ("render", "renders the same objects from the same values files"),
    "install": ("apply", "installs the release (--create-namespace, --wait as with Helm)"),
    "upgrade": ("apply", "upgrades it in place: apply is install and upgrade in one"),
    "uninstall": ("delete", "removes it; the claims and the license Secret stay unless --all"),
}
_ANY_ARGUMENTS = {"allow_extra_args": True, "ignore_unknown_options": True}


def _answering(verb: str) -> Callable[[], None]:
    command, what = OURS[verb]

    def answer() -> None:
        say(
            f"error: `{verb}` is Helm's verb; use `syntho-ray {command}`, which {what}. It "
            "takes -f, --set, --set-string, --set-json, --set-file, -n and --release as Helm "
            "does; the release is --release NAME, not an argument"
        )
        raise typer.Exit(USAGE)

    return answer


for _verb in OURS:
    app.command(_verb, hidden=True, context_settings=_ANY_ARGUMENTS, add_help_option=False)(
        _answering(_verb)
    )
