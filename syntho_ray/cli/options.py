"""The options of the commands that talk to a cluster, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Kubeconfig = Annotated[
    Path | None,
    typer.Option(
        "--kubeconfig",
        metavar="FILE",
        help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
        dir_okay=False,
    ),
]
Context = Annotated[
    str | None,
    typer.Option("--context", metavar="NAME", help="kubeconfig context (default: current)."),
]
CreateNamespace = Annotated[
    bool,
    typer.Option(
        "--create-namespace",
        help="apply: create the namespace if it does not exist. check: a missing namespace is "
        "no error (check itself creates nothing).",
    ),
]
ForceConflicts = Annotated[
    bool,
    typer.Option(
        "--force-conflicts", help="Take over fields another field manager owns (as kubectl)."
    ),
]
SkipPreflight = Annotated[
    bool, typer.Option("--skip-preflight", help="Do not check the cluster before changing it.")
]
Timeout = Annotated[
    str,
    typer.Option("--timeout", metavar="DURATION", help="How long --wait may take: 90s, 10m."),
]
Crds = Annotated[
    Path | None,
    typer.Option(
        "--crds", metavar="DIR", help="First apply the CRD files in DIR.", file_okay=False
    ),
]
DryRunOption = Annotated[  # text, so that the rendering commands load no cluster code
    str,
    typer.Option("--dry-run", metavar="[none|client|server]", help="Show what would change."),
]
Prune = Annotated[
    bool, typer.Option("--prune/--no-prune", help="Delete what the render no longer has.")
]
Wait = Annotated[
    bool, typer.Option("--wait", help="Wait until the operator and the RayCluster are ready.")
]
