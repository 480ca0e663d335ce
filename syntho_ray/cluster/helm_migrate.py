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
import io
import json
import os
import stat
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from syntho_ray.cluster.connect import ApiError, Session
from syntho_ray.cluster.explain import explain
from syntho_ray.cluster.refs import Ref
from syntho_ray.errors import ClusterError
from syntho_ray.facts.charts import FACTS, Chart, chart_of_release
from syntho_ray.facts.kinds import KINDS, kind_at
from syntho_ray.values.files import MIB, UnreadableFile, too_large
from syntho_ray.values.layouts import layout_of
from syntho_ray.values.loading import read_text

RECORD_PREFIX = "sh.helm.release.v1."
GZIP_MAGIC = b"\x1f\x8b"
RECORD_LIMIT = 64 * MIB  # a release record, unzipped (Helm stores at most 1 MiB zipped)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class HelmRelease:
    """What syntho-ray needs from an installed Helm release."""

    name: str
    namespace: str
    revision: int
    chart_name: str  # the record's chart.metadata.name
    chart_version: str  # and its version
    values: dict[str, Any]  # user-supplied values
    objects: list[Ref]  # what Helm rendered, of the kinds syntho-ray knows
    records: list[str]  # the release Secrets, one per revision
    unmanaged: list[Ref] = field(default_factory=list)  # what Helm rendered of other kinds

    @property
    def chart(self) -> str:
        """`name-version`, as Helm's `helm.sh/chart` label spells it."""
        return f"{self.chart_name}-{self.chart_version}"


def decode_release(encoded: str) -> dict[str, Any]:
    """The release JSON from a release Secret's `data.release` (as the API returns it).

    At most RECORD_LIMIT bytes once unzipped (a small record can unzip to gigabytes); the
    parts syntho-ray reads must have the shapes Helm writes.
    """
    try:
        raw = base64.b64decode(base64.b64decode(encoded, validate=True), validate=True)
        if raw[:2] == GZIP_MAGIC:
            raw = _gunzip(raw, RECORD_LIMIT)
        release = json.loads(raw)
    except (binascii.Error, OSError, EOFError, zlib.error, ValueError) as error:
        raise ClusterError(f"the Helm release record cannot be decoded: {error}") from None
    except RecursionError:
        raise ClusterError("the Helm release record is nested too deeply") from None
    if problems := _shape_problems(release):
        raise ClusterError(f"the Helm release record is malformed: {'; '.join(problems)}")
    return dict(release)


def _gunzip(packed: bytes, limit: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(packed)) as unpacking:
        raw = unpacking.read(limit + 1)
    if len(raw) > limit:
        raise ClusterError(f"the Helm release record unzips to {too_large(limit)}")
    return raw


def _shape_problems(release: Any) -> list[str]:
    if not isinstance(release, dict):
        return ["not a JSON object"]
    shapes = {"config": dict, "chart": dict, "manifest": str}
    found = [
        f"{key} is not {'text' if shape is str else 'a mapping'}"
        for key, shape in shapes.items()
        if release.get(key) is not None and not isinstance(release[key], shape)
    ]
    metadata = (release.get("chart") or {}) if not found else {}
    if metadata.get("metadata") is not None and not isinstance(metadata["metadata"], dict):
        found.append("chart.metadata is not a mapping")
    return found


def encode_release(release: dict[str, Any]) -> str:
    """The inverse of `decode_release` (as Helm stores it)."""
    packed = base64.b64encode(gzip.compress(json.dumps(release).encode()))
    return base64.b64encode(packed).decode()


def read_release(session: Session, namespace: str, name: str) -> HelmRelease:
    """The latest deployed revision of Helm release `name` in `namespace`."""
    records = _records(session, namespace, name)
    if not records:
        raise ClusterError(
            f"no Helm release {name} in namespace {namespace}: no Secret "
            f"{RECORD_PREFIX}{name}.v<N> found; check --namespace (syntho-ray reads Helm's "
            "default Secret storage, not HELM_DRIVER=configmap or sql)"
        )
    latest = _deployed(records, name)
    data = (latest.get("data") or {}).get("release")
    if not data:
        raise ClusterError(f"Secret {latest['metadata']['name']}: has no key 'release'")
    where = f"Secret {namespace}/{latest['metadata']['name']}"
    try:
        release = decode_release(str(data))
        objects = manifest_refs(str(release.get("manifest") or ""), namespace)
    except ClusterError as error:
        raise ClusterError(f"{where}: {error}") from None
    metadata = (release.get("chart") or {}).get("metadata") or {}
    return HelmRelease(
        name=name,
        namespace=namespace,
        revision=_revision(latest),
        chart_name=str(metadata.get("name") or "?"),
        chart_version=str(metadata.get("version") or "?"),
        values=dict(release.get("config") or {}),
        objects=[r for r in objects if r.api_version],
        records=sorted(r["metadata"]["name"] for r in records),
        unmanaged=[r for r in objects if not r.api_version],
    )


def _deployed(records: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The latest record whose status is `deployed` (a failed or pending upgrade's record
    after it does not describe what runs)."""
    deployed = [r for r in records if _status(r) == "deployed"]
    if deployed:
        return max(deployed, key=_revision)
    latest = max(records, key=_revision)
    raise ClusterError(
        f"Helm release {name} has no deployed revision (the latest, {_revision(latest)}, is "
        f"{_status(latest) or 'of unknown status'}); bring it to a deployed state with helm "
        "(upgrade or rollback) first"
    )


def _status(record: dict[str, Any]) -> str:
    """A record's status: its `status` label, else the one in the release it holds."""
    labels = record["metadata"].get("labels") or {}
    if "status" in labels:
        return str(labels["status"])
    data = (record.get("data") or {}).get("release")
    try:
        release = decode_release(str(data)) if data else {}
    except ClusterError:
        return ""
    return str((release.get("info") or {}).get("status") or "")


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
    """The objects of a Helm manifest, namespace filled in; those of a kind syntho-ray does not
    know have no `api_version` (and their namespace as the manifest gives it)."""
    refs = []
    for doc in _manifest_heads(manifest):
        name = str(doc.get("kind"))
        kind = kind_at(name, str(doc.get("apiVersion"))) or KINDS.get(name)
        meta = doc.get("metadata") or {}
        if kind is None:
            refs.append(Ref(name, str(meta.get("namespace") or ""), str(meta.get("name"))))
            continue
        refs.append(
            Ref(
                kind.kind,
                str(meta.get("namespace") or namespace) if kind.namespaced else "",
                str(meta.get("name")),
                kind.api_version,
            )
        )
    return refs


def _manifest_heads(manifest: str) -> list[dict[str, Any]]:
    """Each document's `kind`, `apiVersion` and `metadata` (its scalars), read from the YAML
    nodes: aliases are never expanded, so a hostile manifest cannot blow up."""
    try:
        documents = list(yaml.compose_all(manifest, Loader=_Loader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ClusterError(f"its manifest is not valid YAML{where}") from None
    return [_scalars(node, ("kind", "apiVersion", "metadata")) for node in documents if node]


def _scalars(node: yaml.Node, keys: tuple[str, ...]) -> dict[str, Any]:
    """The scalar values of `keys` in a mapping node; `metadata` one level deeper."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    found: dict[str, Any] = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value in keys:
            if isinstance(value, yaml.ScalarNode):
                found[key.value] = value.value
            elif key.value == "metadata":
                found[key.value] = _scalars(value, ("name", "namespace"))
    return found


def generation(helm: HelmRelease, requested: Chart | None = None) -> Chart:
    """The chart generation to render the release with: `requested` (`--chart`), else the one
    of the chart its record names; an error when neither says."""
    chosen = requested or chart_of_release(helm.chart_name, helm.chart_version)
    if chosen is None:
        known = ", ".join(f"{f.name} {f.version.rsplit('.', 1)[0]}.x" for f in FACTS.values())
        raise ClusterError(
            f"Helm release {helm.name} is of chart {helm.chart}, not one syntho-ray renders "
            f"({known}); pass --chart 1.13 or --chart 1.14 to choose the values layout"
        )
    return chosen


def values_text(helm: HelmRelease, values: dict[str, Any], chart: Chart, added: str = "") -> str:
    """The values file: a header naming where the values came from, then the values, written
    so that their chart generation shows (see `marked`)."""
    header = (
        f"# User-supplied values of Helm release {helm.name} (namespace {helm.namespace}, "
        f"revision {helm.revision}, chart {helm.chart}){added}, written by syntho-ray migrate.\n"
    )
    shown = marked(values, chart)
    if shown is not values:
        header += "# `ray-cluster: {}` changes nothing: it marks the values as chart 1.14's.\n"
    body = yaml.safe_dump(shown, sort_keys=False, allow_unicode=True) if shown else "{}\n"
    return header + body


def marked(values: dict[str, Any], chart: Chart) -> dict[str, Any]:
    """The values, with their generation recognisable from the file alone: a 1.14 release
    whose values hold no key of either layout alone gets an empty `ray-cluster:`, so that
    `syntho-ray apply -f` the file renders chart 1.14 without `--chart`."""
    if chart == "1.14" and layout_of(values) is None:
        return {**values, "ray-cluster": {}}
    return values


def write_values(path: Path, text: str, *, force: bool) -> bool:
    """Write the values file, private from the start (0600: it may hold the license), never
    through a symbolic link; False when it already holds `text`.

    The text goes into a new file beside it (created 0600, exclusively), which then replaces
    it: a reader never sees it half-written, or readable by others for a moment.
    """
    existing = _existing_text(path)
    if existing == text:
        return False
    if existing is not None and not force:
        raise ClusterError(f"{path} exists with other content; pass --force to replace it")
    try:
        descriptor, staged = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(staged, path)
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ClusterError(f"{path}: cannot write: {error.strerror}") from None
    return True


def _existing_text(path: Path) -> str | None:
    """What the values file holds now (None: absent); only a regular file may be replaced."""
    try:
        status = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ClusterError(f"{path}: {error.strerror}") from None
    if stat.S_ISLNK(status.st_mode):
        raise ClusterError(
            f"{path} is a symbolic link; the license is never written through one: "
            "give the file's own path with -o"
        )
    try:
        return read_text(str(path), RECORD_LIMIT)
    except UnreadableFile as error:
        if "larger than" in str(error):
            return ""  # other content
        raise ClusterError(f"{path}: {error}") from None
