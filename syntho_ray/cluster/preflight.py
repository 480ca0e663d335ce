"""Before changing anything: does the cluster have what the render relies on?

Each check reads the cluster and returns `Findings`: problems (the apply would
fail or the pods would not start) and notes (what could not be checked, for
example for lack of permission). All checks run, so every problem shows at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from syntho_ray.build import license
from syntho_ray.build.naming import Release
from syntho_ray.cluster.connect import ApiError, Session, each
from syntho_ray.cluster.explain import crd_missing
from syntho_ray.errors import ClusterError
from syntho_ray.facts.charts import DATA_CLAIM, WORKFLOWS_CLAIM
from syntho_ray.facts.kinds import KINDS, RAYCLUSTER_KIND, Kind, raycluster_kind
from syntho_ray.resolve import Resolved

PV_LABEL = "pv-label-key"
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
_CLAIM_KEYS = {
    WORKFLOWS_CLAIM: "storage.pvLabelKey",
    DATA_CLAIM: "storage.dataPvLabelKey",
}


@dataclass(frozen=True)
class Findings:
    """What stops the release (problems) and what could not be checked (notes)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __add__(self, other: Findings) -> Findings:
        return Findings(self.problems + other.problems, self.notes + other.notes)


class PreflightFailed(ClusterError):
    """The cluster lacks something the release relies on; one line per problem."""


@dataclass(frozen=True)
class Target:
    """What the checks look at: the rendered documents and where they go."""

    values: Resolved
    release: Release
    documents: list[dict[str, Any]]
    create_namespace: bool = False
    crd_versions: tuple[str, ...] = ()  # RayCluster versions the --crds files serve


Check = Callable[[Session, Target], Findings]


def run(session: Session, target: Target) -> Findings:
    """Every check (all at once), all findings together, in the checks' order."""
    total = Findings()
    for found in each(lambda check: check(session, target), CHECKS):
        total += found
    return total


def reads(target: Target) -> list[str]:
    """The objects the checks read (besides the rendered ones), for `Session.knowing`: the
    namespaces and the Secrets the render names."""
    namespace = target.release.namespace
    paths = [KINDS["Namespace"].path(name=name) for name in _namespaces(target)]
    secrets = [KINDS["Secret"].path(namespace, name) for name, _, _ in _secrets_wanted(target)]
    return paths + secrets


def _namespaces(target: Target) -> list[str]:
    """The release's namespace, then every other one the render puts objects in."""
    namespace = target.release.namespace
    others = dict.fromkeys(
        str(n) for d in target.documents if (n := (d.get("metadata") or {}).get("namespace"))
    )
    return [namespace, *(n for n in others if n != namespace)]


def require(session: Session, target: Target) -> list[str]:
    """Run every check; raise `PreflightFailed` with all problems; return the notes."""
    found = run(session, target)
    if found.problems:
        raise PreflightFailed(*found.problems)
    return found.notes


def namespace_exists(session: Session, namespace: str) -> bool | None:
    """True or False; None when the namespace may not be read."""
    try:
        return session.get(KINDS["Namespace"].path(name=namespace)) is not None
    except ApiError as error:
        if error.status == 403:
            return None
        raise


def check_namespace(session: Session, target: Target) -> Findings:
    """The namespace exists, or --create-namespace is given; so does each other namespace the
    render puts objects in (watchNamespace's: --create-namespace creates only the release's)."""
    namespace = target.release.namespace
    total = Findings()
    for name in _namespaces(target):
        exists = namespace_exists(session, name)
        if exists is None:
            total += Findings(
                notes=[f"cannot read namespace {name} (forbidden); assuming it exists"]
            )
        elif name == namespace and not exists and not target.create_namespace:
            total += Findings(
                [f"namespace {name} does not exist; create it or pass --create-namespace"]
            )
        elif name != namespace and not exists:
            total += Findings(
                [
                    f"namespace {name} (watchNamespace: the operator's Role goes there) does not "
                    f"exist; create it (--create-namespace creates only the release's, {namespace})"
                ]
            )
    return total


def check_crd(session: Session, target: Target) -> Findings:
    """The RayCluster CRD is installed and serves the API version the values' KubeRay release
    renders (`ray.io/v1alpha1` before 1.0.0, `ray.io/v1` from it)."""
    if not any(d.get("kind") == RAYCLUSTER_KIND for d in target.documents):
        return Findings()
    version = target.values.kuberay
    kind = raycluster_kind(version)
    if target.crd_versions:
        served = list(target.crd_versions)
    elif _serves(session, kind, kind.version):
        return Findings()
    else:
        served = raycluster_versions(session, kind)
    return Findings() if kind.version in served else Findings([crd_missing(version, served)])


def raycluster_versions(session: Session, kind: Kind) -> list[str]:
    """The versions under which the cluster serves `kind` (its CRD's served versions)."""
    group = session.discover(f"/apis/{kind.group}") or {}
    versions = [str(v.get("version")) for v in group.get("versions") or []]
    return [v for v in versions if _serves(session, kind, v)]


def _serves(session: Session, kind: Kind, version: str) -> bool:
    listing = session.discover(f"/apis/{kind.group}/{version}") or {}
    return kind.plural in {str(r.get("name")) for r in listing.get("resources") or []}


def check_storage(session: Session, target: Target) -> Findings:
    """Each claim's StorageClass exists, or labelled ReadWriteMany volumes do."""
    total = Findings()
    namespace = target.release.namespace
    by_class: dict[str, list[str]] = {}
    for claim in _docs(target, "PersistentVolumeClaim"):
        name = claim["metadata"]["name"]
        if _exists(session, KINDS["PersistentVolumeClaim"].path(namespace, name)):
            continue  # already created: its volume was found then
        class_name = (claim.get("spec") or {}).get("storageClassName")
        if class_name:
            by_class.setdefault(str(class_name), []).append(name)
        else:
            total += _guarded(name, partial(_check_claim, session, claim))
    for class_name, claims in by_class.items():
        what = ", ".join(claims)
        total += _guarded(what, partial(_check_class, session, what, class_name))
    return total


def _guarded(claims: str, check: Callable[[], Findings]) -> Findings:
    try:
        return check()
    except ApiError as error:
        if error.status != 403:
            raise
        return Findings(notes=[f"cannot check the storage of {claims} (forbidden)"])


def _check_claim(session: Session, claim: dict[str, Any]) -> Findings:
    spec = claim.get("spec") or {}
    name = claim["metadata"]["name"]
    labels = (spec.get("selector") or {}).get("matchLabels") or {}
    if labels.get(PV_LABEL):
        mode = (spec.get("accessModes") or ["ReadWriteMany"])[0]
        return _check_volumes(session, claim, str(labels[PV_LABEL]), mode)
    return _check_default_class(session, name)


def _check_class(session: Session, claims: str, class_name: str) -> Findings:
    if _exists(session, KINDS["StorageClass"].path(name=class_name)):
        return Findings()
    names = [i["metadata"]["name"] for i in _list(session, KINDS["StorageClass"].path())]
    existing = f" (the cluster has: {', '.join(sorted(names))})" if names else ""
    return Findings(
        [
            f"StorageClass {class_name} (storage.storageClassName, for {claims}) does not "
            f"exist{existing}; set storage.storageClassName to one that does"
        ]
    )


def _check_volumes(session: Session, claim: dict[str, Any], value: str, mode: str) -> Findings:
    name = claim["metadata"]["name"]
    key = _CLAIM_KEYS.get(name, "storage.pvLabelKey")
    volumes = _list(
        session, KINDS["PersistentVolume"].path(), {"labelSelector": f"{PV_LABEL}={value}"}
    )
    if not volumes:
        return Findings(
            [
                f"no PersistentVolume is labelled {PV_LABEL}={value} ({key}, claim {name}); "
                f"create one with access mode {mode}, or set storage.storageClassName"
            ]
        )
    capable = [v for v in volumes if mode in ((v.get("spec") or {}).get("accessModes") or [])]
    if not capable:
        return Findings(
            [
                f"the PersistentVolumes labelled {PV_LABEL}={value} ({key}, claim {name}) are "
                f"not {mode}-capable; Ray's head and workers share this volume"
            ]
        )
    free = [v for v in capable if _free_for(v, claim)]
    if not free:
        return Findings(
            [
                f"every PersistentVolume labelled {PV_LABEL}={value} ({key}, claim {name}) is "
                "bound to another claim; create another one"
            ]
        )
    return Findings()


def _free_for(volume: dict[str, Any], claim: dict[str, Any]) -> bool:
    ref = (volume.get("spec") or {}).get("claimRef")
    if not ref:
        return True
    meta = claim["metadata"]
    return bool(ref.get("name") == meta["name"] and ref.get("namespace") == meta.get("namespace"))


def _check_default_class(session: Session, claim: str) -> Findings:
    classes = _list(session, KINDS["StorageClass"].path())
    default = [c for c in classes if _is_default(c)]
    if default:
        return Findings()
    return Findings(
        [
            f"claim {claim} names no StorageClass and the cluster has no default one; set "
            "storage.storageClassName"
        ]
    )


def _is_default(storage_class: dict[str, Any]) -> bool:
    notes = (storage_class.get("metadata") or {}).get("annotations") or {}
    return any(notes.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS)


def check_secrets(session: Session, target: Target) -> Findings:
    """The image pull Secrets (and manualSecretName's Secret) exist in the namespace; each
    missing one is named with the command that creates it."""
    namespace = target.release.namespace
    exists = namespace_exists(session, namespace)
    total = Findings()
    for name, source, command in _secrets_wanted(target):
        if exists is False:
            total += Findings(
                notes=[
                    f"Secret {name} ({source}) must be created in the new namespace {namespace} "
                    f"before the pods can start, once it exists: {command}"
                ]
            )
            continue
        try:
            found = _exists(session, KINDS["Secret"].path(namespace, name))
        except ApiError as error:
            if error.status != 403:
                raise
            total += Findings(notes=[f"cannot check Secret {name} (forbidden)"])
            continue
        if not found:
            total += Findings(
                [f"Secret {name} ({source}) does not exist in namespace {namespace}: {command}"]
            )
    return total


def _secrets_wanted(target: Target) -> list[tuple[str, str, str]]:
    """(name, the value that names it, the command that creates it) of each Secret."""
    create = f"kubectl -n {target.release.namespace} create secret"
    # (the image as rendered: from the mirror with chart 1.13's `registry`)
    registry = _registry_host(target.values.values.cluster.image.repository)
    wanted = [
        (
            name,
            "imagePullSecrets",
            f"{create} docker-registry {name} --docker-server={registry} "
            "--docker-username=USER --docker-password=PASSWORD",
        )
        for name in _pull_secrets(target)
    ]
    if manual := target.values.values.manual_secret_name:
        command = f"{create} generic {manual} --from-file={license.SECRET_KEY}=license.txt"
        wanted.append((manual, "manualSecretName", command))
    return wanted


def _registry_host(repository: str) -> str:
    host, _, rest = repository.partition("/")
    return host if rest and ("." in host or ":" in host or host == "localhost") else "docker.io"


def _pull_secrets(target: Target) -> list[str]:
    names: dict[str, None] = {}
    for doc in target.documents:
        for found in _find_key(doc, "imagePullSecrets"):
            for item in found or []:
                if isinstance(item, dict) and item.get("name"):
                    names[str(item["name"])] = None
    return list(names)


def _find_key(data: Any, key: str) -> Iterator[Any]:
    if isinstance(data, dict):
        for k, v in data.items():
            if k == key:
                yield v
            else:
                yield from _find_key(v, key)
    elif isinstance(data, list):
        for v in data:
            yield from _find_key(v, key)


def _docs(target: Target, kind: str) -> list[dict[str, Any]]:
    return [d for d in target.documents if d.get("kind") == kind]


def _exists(session: Session, path: str) -> bool:
    return session.get(path) is not None


def _list(session: Session, path: str, query: dict[str, str] | None = None) -> list[dict[str, Any]]:
    return list(session.request("GET", path, query=query).get("items") or [])


CHECKS: tuple[Check, ...] = (check_namespace, check_crd, check_storage, check_secrets)
