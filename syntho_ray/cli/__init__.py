"""The `syntho-ray` command line: one module per group of commands, all on one `app`."""

from syntho_ray.cli import render
from syntho_ray.cli.app import app

__all__ = ["app", "main", "render"]


def main() -> None:
    """Console entry point."""
    app()
