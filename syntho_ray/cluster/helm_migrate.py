"""Coming from Helm: read a release's values, take over its objects, remove its records.

Helm 3 keeps each revision of a release in the Secret
`sh.helm.release.v1.<name>.v<N>` (labels `owner=helm`, `name=<name>`,
`version=<N>`); its key `release` holds base64 of gzip of the release JSON,
inside the Secret's own base64. The JSON's `config` is what the user supplied
(`--values`, `--set`), `manifest` what Helm rendered.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from syntho_ray.build.naming import CHART_NAME
from syntho_ray.cluster.connect import ApiError, Session
from syntho_ray.cluster.explain import explain
from syntho_ray.cluster.refs import Ref
from syntho_ray.errors import ClusterError
from syntho_ray.facts.kinds import KINDS, kind_at

RECORD_PREFIX = "sh.helm.release.v1."
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class HelmRelease:
    """What syntho-ray needs from an installed Helm release."""

    name: str
    namespace: str
    revision: int
    chart: str  # name-version
    values: dict[str, Any]  # user-supplied values
    objects: list[Ref]  # what Helm rendered
    records: list[str]  # the release Secrets, one per revision


@dataclass(frozen=True)
class Plan:
    """What taking over does: objects adopted, created, and left behind."""

    adopted: list[Ref]
    created: list[Ref]
    left: list[Ref]  # Helm rendered them, syntho-ray does not: no longer managed


def decode_release(encoded: str) -> dict[str, Any]:
    """The release JSON from a release Secret's `data.release` (as the API returns it)."""
    try:
        raw = base64.b64decode(base64.b64decode(encoded, validate=True), validate=True)
        if raw[:2] == GZIP_MAGIC:
            raw = gzip.decompress(raw)
        release = json.loads(raw)
    except (binascii.Error, OSError, ValueError) as error:
        raise ClusterError(f"the Helm release record cannot be decoded: {error}") from None
    if not isinstance(release, dict):
        raise ClusterError("the Helm release record is not a JSON object")
    return release


def encode_release(release: dict[str, Any]) -> str:
    """The inverse of `decode_release` (as Helm stores it)."""
    packed = base64.b64encode(gzip.compress(json.dumps(release).encode()))
    return base64.b64encode(packed).decode()


def read_release(session: Session, namespace: str, name: str) -> HelmRelease:
    """The latest revision of Helm release `name` in `namespace`."""
    records = _records(session, namespace, name)
    if not records:
        raise ClusterError(
            f"no Helm release {name} in namespace {namespace}: no Secret "
            f"{RECORD_PREFIX}{name}.v<N> found; check --namespace (syntho-ray reads Helm's "
            "default Secret storage, not HELM_DRIVER=configmap or sql)"
        )
    latest = max(records, key=_revision)
    data = (latest.get("data") or {}).get("release")
    if not data:
        raise ClusterError(f"Secret {latest['metadata']['name']}: has no key 'release'")
    release = decode_release(str(data))
    metadata = (release.get("chart") or {}).get("metadata") or {}
    return HelmRelease(
        name=name,
        namespace=namespace,
        revision=_revision(latest),
        chart=f"{metadata.get('name', '?')}-{metadata.get('version', '?')}",
        values=dict(release.get("config") or {}),
        objects=manifest_refs(str(release.get("manifest") or ""), namespace),
        records=sorted(r["metadata"]["name"] for r in records),
    )


def _records(session: Session, namespace: str, name: str) -> list[dict[str, Any]]:
    try:
        listing = session.request(
            "GET",
            KINDS["Secret"].path(namespace),
            query={"labelSelector": f"owner=helm,name={name}"},
        )
    except ApiError as error:
        raise ClusterError(
            explain(error, Ref("Secret", namespace, f"{RECORD_PREFIX}{name}.v*"), "list")
        ) from None
    prefix = f"{RECORD_PREFIX}{name}.v"
    return [s for s in listing.get("items") or [] if s["metadata"]["name"].startswith(prefix)]


def _revision(record: dict[str, Any]) -> int:
    labels = record["metadata"].get("labels") or {}
    text = str(labels.get("version") or record["metadata"]["name"].rsplit(".v", 1)[-1])
    return int(text) if text.isdigit() else 0


def manifest_refs(manifest: str, namespace: str) -> list[Ref]:
    """The objects of a Helm manifest (kinds syntho-ray knows; namespace filled in)."""
    refs = []
    for doc in yaml.safe_load_all(manifest):
        if not isinstance(doc, dict):
            continue
        name = str(doc.get("kind"))
        kind = kind_at(name, str(doc.get("apiVersion"))) or KINDS.get(name)
        if kind is None:
            continue
        meta = doc.get("metadata") or {}
        refs.append(
            Ref(
                kind.kind,
                str(meta.get("namespace") or namespace) if kind.namespaced else "",
                str(meta.get("name")),
                kind.api_version,
            )
        )
    return refs


def chart_warning(helm: HelmRelease) -> str | None:
    """A warning when the release is not of the Ray chart."""
    if helm.chart.rsplit("-", 1)[0] == CHART_NAME:
        return None
    return f"Helm release {helm.name} is of chart {helm.chart}, not {CHART_NAME}; check the values"


def plan(helm: HelmRelease, rendered: list[Ref]) -> Plan:
    """Which objects are adopted, created, or left behind."""
    helm_refs = set(helm.objects)
    return Plan(
        adopted=[r for r in rendered if r in helm_refs],
        created=[r for r in rendered if r not in helm_refs],
        left=sorted(helm_refs - set(rendered)),
    )


def values_text(helm: HelmRelease) -> str:
    """The values file: a header, then the user-supplied values."""
    header = (
        f"# User-supplied values of Helm release {helm.name} (namespace {helm.namespace}, "
        f"revision {helm.revision}, chart {helm.chart}), written by syntho-ray migrate.\n"
    )
    body = (
        yaml.safe_dump(helm.values, sort_keys=False, allow_unicode=True) if helm.values else "{}\n"
    )
    return header + body


def write_values(path: Path, text: str, *, force: bool) -> bool:
    """Write the values file (mode 0600: it may hold the license); False if already so."""
    if path.exists():
        if path.read_text(encoding="utf-8") == text:
            return False
        if not force:
            raise ClusterError(f"{path} exists with other content; pass --force to replace it")
    try:
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    except OSError as error:
        raise ClusterError(f"{path}: cannot write: {error.strerror}") from None
    return True


def remove_records(session: Session, helm: HelmRelease) -> list[str]:
    """Delete every revision's Secret, so `helm uninstall` no longer knows the release."""
    removed = []
    for name in helm.records:
        ref = Ref("Secret", helm.namespace, name)
        try:
            session.request("DELETE", ref.path())
        except ApiError as error:
            if error.status != 404:
                raise ClusterError(explain(error, ref, "delete")) from None
        removed.append(name)
    return removed
