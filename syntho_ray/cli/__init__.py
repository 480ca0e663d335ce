"""The `syntho-ray` command line: one module per group of commands, all on one `app`."""

# Imported in the order `syntho-ray --help` lists the commands.
from syntho_ray.cli import render  # isort: skip
from syntho_ray.cli import cluster  # isort: skip
from syntho_ray.cli import release  # isort: skip
from syntho_ray.cli import kits  # isort: skip
from syntho_ray.cli import convert  # isort: skip
from syntho_ray.cli import helm  # isort: skip
from syntho_ray.cli.app import app

__all__ = ["app", "cluster", "convert", "helm", "kits", "main", "release", "render"]


def main() -> None:
    """Console entry point."""
    import os

    from syntho_ray import collector
    from syntho_ray.k8s import client

    client.load_models_only()  # a new process: the models, not the whole `kubernetes` client
    # No pydantic plugins (they instrument validation for services): pydantic would read the
    # entry points of every installed distribution before the first model is built.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        app()
    finally:
        collector.freeze_for_exit()
