"""A kustomize-ready directory of the documents, written all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from syntho_ray.errors import OutputError
from syntho_ray.facts.kuberay import CHART_RELEASE
from syntho_ray.output.stream import document_chunks, document_text

HEADER = "# Written by syntho-ray render. Edit the values and render again instead of this file.\n"
KUSTOMIZATION = "kustomization.yaml"
CRDS_DIR = "crds"
KUBERAY_REPOSITORY = "https://github.com/ray-project/kuberay/"
KUBERAY_CRDS = KUBERAY_REPOSITORY + "ray-operator/config/crd?ref=v{version}"
CHART_KUBERAY_VERSION = CHART_RELEASE
_SECRET_KINDS = {"Secret"}
# Relative path -> (text, file mode); the text in parts, so that a large file is never held
# twice (in parts and joined) while the directory is written.
Files = dict[str, tuple[list[str], int]]


def file_name(document: Any, namespace: str | None = None) -> str:
    """`kind-name.yaml`, lower case; `kind-name.NS.yaml` for an object outside `namespace`."""
    kind, name, other = _identity(document)
    base = f"{kind.lower()}-{name}"
    return f"{base}.{other}.yaml" if namespace and other and other != namespace else f"{base}.yaml"


def _identity(document: Any) -> tuple[str, str, str | None]:
    """Kind, name and namespace of a document (plain data or a typed object)."""
    if isinstance(document, dict):
        metadata = document["metadata"]
        return document["kind"], metadata["name"], metadata.get("namespace")
    return document.kind, document.metadata.name, document.metadata.namespace


def kustomization(resources: Sequence[str], namespace: str | None) -> dict[str, Any]:
    """A kustomization listing `resources` (sorted), with the namespace set."""
    data: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
    }
    if namespace:
        data["namespace"] = namespace
    data["resources"] = sorted(resources)
    return data


def directory_files(
    documents: Sequence[Any],
    namespace: str,
    kuberay_version: str = CHART_KUBERAY_VERSION,
    components: Mapping[str, Sequence[dict[str, Any]]] | None = None,
    crds: Sequence[dict[str, Any]] = (),
) -> Files:
    """Relative path -> (text, file mode) of a kustomize-ready directory of the documents
    (plain data or typed objects).

    `components` maps a subdirectory to cluster-wide documents the cluster admin applies
    apart from the release; each subdirectory is a kustomization of its own. `crds/` holds
    the given KubeRay CRDs, or else refers to those of the release on GitHub.
    """
    files = _resource_files(documents, namespace)
    # kustomize would move every object into this namespace: only set it if all are there.
    single = all(_identity(d)[2] in (None, namespace) for d in documents)
    files[KUSTOMIZATION] = _kustomization_file(list(files), namespace if single else None)
    if crds:
        inner = _resource_files(crds, None)
        files |= {f"{CRDS_DIR}/{name}": file for name, file in inner.items()}
        listed = list(inner)
    else:
        listed = [KUBERAY_CRDS.format(version=kuberay_version)]
    files[f"{CRDS_DIR}/{KUSTOMIZATION}"] = _kustomization_file(listed, None)
    for directory, cluster_documents in (components or {}).items():
        inner = _resource_files(cluster_documents, None)
        files |= {f"{directory}/{name}": file for name, file in inner.items()}
        files[f"{directory}/{KUSTOMIZATION}"] = _kustomization_file(list(inner), None)
    return files


def _resource_files(documents: Sequence[Any], namespace: str | None) -> Files:
    files: Files = {}
    for doc in documents:
        name = file_name(doc, namespace)
        if name in files:
            raise OutputError(f"two objects would both be written to {name}")
        files[name] = (
            [HEADER, *document_chunks(doc, start=False)],
            0o600 if _identity(doc)[0] in _SECRET_KINDS else 0o644,
        )
    return files


def _kustomization_file(resources: Sequence[str], namespace: str | None) -> tuple[list[str], int]:
    return [HEADER, document_text(kustomization(resources, namespace), start=False)], 0o644


def written_by_us(directory: Path) -> set[str]:
    """The files an earlier render wrote into `directory` (empty if it did not write it).

    Ours are the files that start with our header: a file the user added, or listed in a
    kustomization, is never taken for one of ours.
    """
    if not _ours(directory / KUSTOMIZATION):
        return set()
    return {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if not p.is_symlink() and p.is_file() and _ours(p)
    }


def _ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(HEADER)) == HEADER.encode()
    except OSError:
        return False


def keep_user_entries(files: Files, directory: Path, previous: set[str]) -> Files:
    """`files`, with what the user added to each kustomization we wrote before kept in it.

    The user's entries under `resources` stay (after ours), and so do keys of their own
    (`patches`, `labels`, ...); entries of ours that the render no longer has go.
    """
    kept = dict(files)
    for rel, (text, mode) in files.items():
        if Path(rel).name != KUSTOMIZATION or rel not in previous:
            continue
        old = _loaded(directory / rel)
        base = (directory / rel).parent
        new = yaml.safe_load("".join(text).removeprefix(HEADER))
        resources = new.get("resources", [])
        user = [
            r
            for r in old.get("resources") or []
            if isinstance(r, str) and r not in resources and not _our_entry(r, base)
        ]
        own_keys = {k: v for k, v in old.items() if k not in _OUR_KEYS}
        if user or own_keys:
            data = new | {"resources": [*resources, *user]} | own_keys
            kept[rel] = ([HEADER, document_text(data, start=False)], mode)
    return kept


_OUR_KEYS = {"apiVersion", "kind", "namespace", "resources"}


def _loaded(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _our_entry(entry: str, base: Path) -> bool:
    """Whether a kustomization entry is one a render writes: our CRDs, or a file of ours."""
    return entry.startswith(KUBERAY_REPOSITORY) or _ours(base / entry)
