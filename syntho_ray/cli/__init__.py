"""The `syntho-ray` command line: one module per group of commands, all on one `app`."""

from syntho_ray.cli import cluster, render
from syntho_ray.cli import kits as kits
from syntho_ray.cli.app import app

__all__ = ["app", "cluster", "main", "render"]


def main() -> None:
    """Console entry point."""
    from syntho_ray import k8s

    k8s.load_models_only()  # a new process: the models, not the whole `kubernetes` client
    app()
