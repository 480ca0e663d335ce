"""A kustomize-ready directory of the documents, written all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from syntho_ray.errors import OutputError
from syntho_ray.facts.kuberay import CHART_RELEASE
from syntho_ray.output.stream import document_text

HEADER = "# Written by syntho-ray render. Edit the values and render again instead of this file.\n"
KUSTOMIZATION = "kustomization.yaml"
CRDS_DIR = "crds"
KUBERAY_CRDS = "https://github.com/ray-project/kuberay/ray-operator/config/crd?ref=v{version}"
CHART_KUBERAY_VERSION = CHART_RELEASE
_SECRET_KINDS = {"Secret"}


def file_name(document: dict[str, Any], namespace: str | None = None) -> str:
    """`kind-name.yaml`, lower case; `kind-name.NS.yaml` for an object outside `namespace`."""
    base = f"{document['kind'].lower()}-{document['metadata']['name']}"
    other = document["metadata"].get("namespace")
    return f"{base}.{other}.yaml" if namespace and other and other != namespace else f"{base}.yaml"


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
    documents: Sequence[dict[str, Any]],
    namespace: str,
    kuberay_version: str = CHART_KUBERAY_VERSION,
    components: Mapping[str, Sequence[dict[str, Any]]] | None = None,
    crds: Sequence[dict[str, Any]] = (),
) -> dict[str, tuple[str, int]]:
    """Relative path -> (text, file mode) of a kustomize-ready directory.

    `components` maps a subdirectory to cluster-wide documents the cluster admin applies
    apart from the release; each subdirectory is a kustomization of its own. `crds/` holds
    the given KubeRay CRDs, or else refers to those of the release on GitHub.
    """
    files = _resource_files(documents, namespace)
    # kustomize would move every object into this namespace: only set it if all are there.
    single = all(d["metadata"].get("namespace") in (None, namespace) for d in documents)
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


def _resource_files(
    documents: Sequence[dict[str, Any]], namespace: str | None
) -> dict[str, tuple[str, int]]:
    files: dict[str, tuple[str, int]] = {}
    for doc in documents:
        name = file_name(doc, namespace)
        if name in files:
            raise OutputError(f"two objects would both be written to {name}")
        files[name] = (
            HEADER + document_text(doc, start=False),
            0o600 if doc["kind"] in _SECRET_KINDS else 0o644,
        )
    return files


def _kustomization_file(resources: Sequence[str], namespace: str | None) -> tuple[str, int]:
    return HEADER + document_text(kustomization(resources, namespace), start=False), 0o644


def written_by_us(directory: Path) -> set[str]:
    """The files an earlier render wrote into `directory` (empty if it did not write it)."""
    resources = _our_resources(directory / KUSTOMIZATION)
    if resources is None:
        return set()
    ours = {KUSTOMIZATION, f"{CRDS_DIR}/{KUSTOMIZATION}", *resources}
    for inner in directory.glob(f"*/{KUSTOMIZATION}"):
        found = _our_resources(inner)
        if found is not None:
            sub = inner.parent.name
            ours |= {f"{sub}/{KUSTOMIZATION}", *(f"{sub}/{r}" for r in found)}
    return ours


def _our_resources(kustomization_file: Path) -> list[str] | None:
    """The local files a kustomization we wrote lists; None if we did not write it."""
    try:
        text = kustomization_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith(HEADER):
        return None
    try:
        resources = yaml.safe_load(text).get("resources", [])
    except (yaml.YAMLError, AttributeError):
        return None
    return [r for r in resources if isinstance(r, str) and "/" not in r]


def write_directory(
    files: dict[str, tuple[str, int]], directory: Path, *, force: bool = False
) -> None:
    """Write `files` under `directory` all at once: built aside, then moved into place.

    A directory an earlier render wrote is replaced (files the user added are kept); a
    non-empty directory of someone else is refused unless `force`, and then only our files
    are written into it. A symbolic link is followed; the current directory and mount points,
    which cannot be swapped, get each file replaced in place instead.
    """
    target = Path(directory).resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(f"{directory} exists and is not a directory")
    previous = written_by_us(target) if target.exists() else set()
    foreign = _foreign_files(target, previous)
    if foreign and not previous and not force:
        raise OutputError(
            f"{directory} is not empty and was not written by syntho-ray "
            f"(it has {sorted(foreign)[0]}); choose another directory or use --force"
        )
    in_place = target.exists() and (target == Path.cwd().resolve() or target.is_mount())
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"cannot write {directory}: {exc.strerror or exc}") from None
    try:
        for rel, (text, mode) in sorted(files.items()):
            _write(staging / rel, text, mode)
        if in_place:
            _replace_files(staging, target, stale=previous - set(files))
        else:
            for rel in (f for f in foreign if f not in files):
                _copy(target / rel, staging / rel)
            staging.chmod(0o755)
            _swap(staging, target)
    except OSError as exc:
        raise OutputError(f"cannot write {directory}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_files(staging: Path, target: Path, *, stale: set[str]) -> None:
    """Move each staged file over its counterpart, then remove what an earlier render left."""
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        destination = target / path.relative_to(staging)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)
    for rel in stale:
        (target / rel).unlink(missing_ok=True)


def _foreign_files(directory: Path, ours: set[str]) -> list[str]:
    if not directory.is_dir():
        return []
    found = [
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() or p.is_symlink()
    ]
    return sorted(f for f in found if f not in ours)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target, follow_symlinks=False)


def _write(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(mode)


def _swap(staging: Path, directory: Path) -> None:
    if not directory.exists():
        staging.rename(directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    retired.rmdir()
    directory.rename(retired)
    try:
        staging.rename(directory)
    except OSError:
        retired.rename(directory)
        raise
    shutil.rmtree(retired, ignore_errors=True)
