"""`python -m syntho_ray` runs the command line."""

from syntho_ray.cli import main

main()
