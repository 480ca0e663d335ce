"""The KubeRay CRDs from files, for clusters that cannot reach GitHub (air-gapped).

`render -o DIR --crds SRC` writes them under DIR/crds/ in place of the link to KubeRay's
repository; `apply --crds SRC` applies them first. The files are KubeRay's own, from where
the release ships them (see the README, "Air-gapped clusters").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from syntho_ray.errors import SynthoRayError
from syntho_ray.facts.kinds import raycluster_kind


def load_crds(directory: Path) -> list[dict[str, Any]]:
    """The CRDs in the YAML or JSON files under `directory`, in file-name order."""
    if not directory.is_dir():
        raise SynthoRayError(f"--crds {directory}: not a directory")
    files = sorted(
        p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()
    )
    crds = []
    for path in files:
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise SynthoRayError(f"--crds {path}: cannot read: {error}") from None
        for doc in docs:
            if not isinstance(doc, dict) or doc.get("kind") == "Kustomization":
                continue
            if doc.get("kind") != "CustomResourceDefinition":
                raise SynthoRayError(
                    f"--crds {path}: {doc.get('kind')} is not a CustomResourceDefinition; "
                    "the directory takes CRD files only"
                )
            crds.append(doc)
    if not crds:
        raise SynthoRayError(
            f"--crds {directory}: no CustomResourceDefinition found in *.yaml files"
        )
    return crds


def served_versions(crds: list[dict[str, Any]], group: str, plural: str) -> tuple[str, ...]:
    """The versions the CRD of `plural.group` among `crds` serves; empty when absent."""
    for crd in crds:
        spec = crd.get("spec") or {}
        if spec.get("group") == group and (spec.get("names") or {}).get("plural") == plural:
            return tuple(str(v["name"]) for v in spec.get("versions") or [] if v.get("served"))
    return ()


def raycluster_problem(crds: list[dict[str, Any]], kuberay_version: str) -> str | None:
    """Why the RayCluster CRD among `crds` cannot take the render's RayCluster, or None."""
    kind = raycluster_kind(kuberay_version)
    served = served_versions(crds, kind.group, kind.plural)
    if not served:
        return f"no RayCluster CRD ({kind.plural}.{kind.group}) among them"
    if kind.version not in served:
        return (
            f"their RayCluster CRD serves {', '.join(served)}, but KubeRay {kuberay_version} "
            f"(kuberay.version) renders {kind.api_version}: use that release's CRDs"
        )
    return None
