"""A stateful Kubernetes API emulator for the cluster tests, built on kmock.

kmock (PyPI) serves HTTP on 127.0.0.1, renders discovery and `Status` errors,
and lets a test put reactions (faults) ahead of the defaults. Its own
`KubernetesEmulator` stores objects by merging dicts; this one replaces that
layer with the semantics the commands rely on: server-side apply with managed
fields per manager and 409 conflicts (`kube_ssa`), resourceVersion and
generation, label and field selectors, watches from a resourceVersion (410
when compacted), the status subresource, dry runs, namespaces that must exist,
and CRDs that are served once Established. A type served under several versions (a
CRD such as KubeRay 1.x's, serving `ray.io/v1` and `ray.io/v1alpha1`) keeps one object
per name, shown under whichever version is asked for (no conversion beyond the
apiVersion, as with a CRD's `conversion: None`).

The server runs on its own event loop in a thread; tests talk to it through
the real `kubernetes` client, and use the helpers (`put`, `set_status`,
`fail`, `forbid`, `drop_watches`...) which run on that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime
import itertools
import json
import re
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import kmock
import yaml

from support import kube_ssa


@dataclass(frozen=True)
class TypeInfo:
    """A served resource type."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    status: bool = False  # has the status subresource

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


BUILTIN = (
    TypeInfo("", "v1", "namespaces", "Namespace", namespaced=False, status=True),
    TypeInfo("", "v1", "serviceaccounts", "ServiceAccount"),
    TypeInfo("", "v1", "secrets", "Secret"),
    TypeInfo("", "v1", "configmaps", "ConfigMap"),
    TypeInfo("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", status=True),
    TypeInfo("", "v1", "persistentvolumes", "PersistentVolume", namespaced=False, status=True),
    TypeInfo("", "v1", "services", "Service", status=True),
    TypeInfo("", "v1", "pods", "Pod", status=True),
    TypeInfo("", "v1", "events", "Event"),
    TypeInfo("rbac.authorization.k8s.io", "v1", "roles", "Role"),
    TypeInfo("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
    TypeInfo("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", namespaced=False),
    TypeInfo(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "ClusterRoleBinding",
        namespaced=False,
    ),
    TypeInfo("apps", "v1", "deployments", "Deployment", status=True),
    TypeInfo("storage.k8s.io", "v1", "storageclasses", "StorageClass", namespaced=False),
    TypeInfo(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        namespaced=False,
        status=True,
    ),
)
RAYCLUSTER_TYPE = TypeInfo("ray.io", "v1alpha1", "rayclusters", "RayCluster", status=True)
RAYCLUSTER_VERSIONS = ("v1alpha1", "v1")  # what KubeRay's CRDs have served (1.x: both)
Key = tuple[str, str, str, str]  # group, plural, namespace, name
APPLY = "application/apply-patch+yaml"
MERGE = ("application/merge-patch+json", "application/strategic-merge-patch+json")
JSON_PATCH = "application/json-patch+json"
# Fields a real API server refuses to change in place (422), per kind.
IMMUTABLE = {"Deployment": ("spec", "selector"), "RoleBinding": ("roleRef",)}


def status_error(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> kmock.KubernetesError:
    """An error the API server answers with a `Status`."""
    return kmock.KubernetesError(status=code, reason=reason, message=message, details=details or {})


def not_found(info: TypeInfo, name: str) -> kmock.KubernetesError:
    what = f"{info.plural}.{info.group}" if info.group else info.plural
    details = {"name": name, "group": info.group, "kind": info.plural}
    return status_error(404, "NotFound", f'{what} "{name}" not found', details)


def now() -> str:
    return datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Target:
    """A parsed resource URL."""

    info: TypeInfo
    namespace: str
    name: str
    sub: str

    @property
    def key(self) -> Key:
        return (self.info.group, self.info.plural, self.namespace, self.name)


@dataclass
class Event:
    """One change, as a watch sends it."""

    version: int
    kind: str  # ADDED, MODIFIED, DELETED
    key: Key
    obj: dict[str, Any]


@dataclass
class Store:
    """Objects, their managers, the change log and the resource types served."""

    types: dict[tuple[str, str, str], TypeInfo] = field(default_factory=dict)
    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    managers: dict[Key, dict[str, kube_ssa.Manager]] = field(default_factory=dict)
    log: list[Event] = field(default_factory=list)
    version: int = 100
    compacted: int = 0  # watches from before this version get 410
    uids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    ips: Iterator[int] = field(default_factory=lambda: itertools.count(10))

    def type_for(self, group: str, version: str, plural: str) -> TypeInfo | None:
        return self.types.get((group, version, plural))

    def bump(self) -> int:
        self.version += 1
        return self.version

    def record(self, kind: str, key: Key, obj: dict[str, Any]) -> None:
        self.log.append(Event(self.version, kind, key, copy.deepcopy(obj)))


class KubeEmulator(kmock.KubernetesScaffold):  # type: ignore[misc]
    """kmock's Kubernetes scaffold with a stateful store behind every resource URL."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self.store = Store()
        self.crd_delay = 0.0  # seconds before an applied CRD is Established
        self.watch_drops: list[int] = []  # per upcoming watch: events before the drop
        self.changed: asyncio.Condition | None = None
        self.stopping = False  # ends open watches when the server stops
        # Refuse changes to immutable fields (IMMUTABLE), as a real API server does. Off by
        # default: some older tests apply two releases over the same operator Deployment.
        self.immutable = False
        for info in BUILTIN:
            self.serve_type(info)
        # Resource URLs only: discovery stays with kmock's scaffold. (A kmock reaction that
        # declines a request with NotImplemented is disabled for good: filter, never decline.)
        self.fallback[re.compile(r"/api/[^/]+/.+|/apis/[^/]+/[^/]+/.+")] << self._serve

    # -- discovery: only the types really served (not those named in test reactions)

    def _get_resources(self) -> list[Any]:
        return list(self._resources)

    def unserve_type(self, info: TypeInfo) -> None:
        """Stop serving a type (its objects stay, as a CRD version no longer served)."""
        self.store.types.pop((info.group, info.version, info.plural), None)
        self.resources.pop(f"{info.group}/{info.version}/{info.plural}", None)

    def serve_type(self, info: TypeInfo) -> None:
        self.store.types[(info.group, info.version, info.plural)] = info
        self.resources[f"{info.group}/{info.version}/{info.plural}"] = kmock.ResourceInfo(
            kind=info.kind,
            namespaced=info.namespaced,
            verbs={"get", "list", "watch", "create", "patch", "delete"},
            subresources={"status"} if info.status else set(),
        )

    # -- routing

    def _parse(self, path: str) -> Target | bool | None:
        parts = path.strip("/").split("/")
        if parts[0] == "api" and len(parts) >= 3:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 4:
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            return None  # discovery
        namespace = ""
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        info = self.store.type_for(group, version, rest[0])
        if info is None:
            return False
        name = rest[1] if len(rest) > 1 else ""
        return Target(info, namespace, name, rest[2] if len(rest) > 2 else "")

    async def _serve(self, request: Any) -> Any:
        target = self._parse(request.url.path)
        if target is None:
            return NotImplemented
        if target is False:
            return kmock.Response(status=404, payload=b"404 page not found\n")
        assert isinstance(target, Target)
        if self.changed is None:
            self.changed = asyncio.Condition()
        params = dict(request.params)
        method = request.method.value if hasattr(request.method, "value") else str(request.method)
        try:
            answer = self._answer(request, target, params, method)
            # kmock keeps a returned Response's status on the reaction, for every later answer
            # of this one: each answer says its own (200 unless it is a Response).
            return (
                answer
                if isinstance(answer, kmock.Response)
                else kmock.Response(status=200, payload=answer)
            )
        finally:
            async with self.changed:
                self.changed.notify_all()

    def _answer(self, request: Any, target: Target, params: dict[str, str], method: str) -> Any:
        if method == "GET" and params.get("watch") in ("true", "1"):
            return self._watch(request, target, params)
        if method == "GET":
            return self._get(target, params)
        if method == "POST":
            return self._create(target, request.data or {}, params)
        if method == "PATCH":
            return self._patch(target, request, params)
        if method == "DELETE":
            return self._delete(target, params)
        raise status_error(405, "MethodNotAllowed", f"{method} is not supported")

    # -- reads

    def _get(self, target: Target, params: dict[str, str]) -> Any:
        if target.name:
            obj = self.store.objects.get(target.key)
            if obj is None:
                raise not_found(target.info, target.name)
            return self.view(target.key, api_version=target.info.api_version)
        items = [
            self.view(key, listed=True, api_version=target.info.api_version)
            for key in sorted(self.store.objects)
            if self._matches(key, target, params)
        ]
        return {
            "kind": f"{target.info.kind}List",
            "apiVersion": target.info.api_version,
            "metadata": {"resourceVersion": str(self.store.version)},
            "items": items,
        }

    def _matches(self, key: Key, target: Target, params: dict[str, str]) -> bool:
        group, plural, namespace, _ = key
        if (group, plural) != (target.info.group, target.info.plural):
            return False
        if target.namespace and namespace != target.namespace:
            return False
        obj = self.store.objects.get(key)
        return obj is not None and selected(obj, params)

    def view(
        self, key: Key, *, listed: bool = False, api_version: str | None = None
    ) -> dict[str, Any]:
        """The object as the API shows it (under `api_version`, default: as last written),
        managedFields included."""
        obj = copy.deepcopy(self.store.objects[key])
        if api_version:
            obj["apiVersion"] = api_version
        obj["metadata"]["managedFields"] = [
            {
                "manager": name,
                "operation": m.operation,
                "apiVersion": m.api_version,
                "time": m.time or now(),
                "fieldsType": "FieldsV1",
                "fieldsV1": kube_ssa.fields_v1(m.fields),
            }
            for name, m in sorted(self.store.managers.get(key, {}).items())
        ]
        if listed:
            obj.pop("kind", None)
            obj.pop("apiVersion", None)
        return obj

    def _watch(self, request: Any, target: Target, params: dict[str, str]) -> AsyncIterator[Any]:
        start = params.get("resourceVersion", "")
        timeout = float(params.get("timeoutSeconds", "30"))
        drop_after = self.watch_drops.pop(0) if self.watch_drops else None
        store = self.store
        emulator = self

        async def stream() -> AsyncIterator[Any]:
            yield b""
            if start and start != "0" and int(start) < store.compacted:
                yield {
                    "type": "ERROR",
                    "object": {
                        "kind": "Status",
                        "code": 410,
                        "reason": "Expired",
                        "message": f"too old resource version: {start}",
                    },
                }
                return
            cursor = int(start) if start and start != "0" else store.version
            if not start or start == "0":
                for key in sorted(store.objects):
                    if emulator._matches(key, target, params):
                        shown = emulator.view(key, api_version=target.info.api_version)
                        yield {"type": "ADDED", "object": shown}
            sent = 0
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while True:
                for event in [e for e in store.log if e.version > cursor]:
                    cursor = event.version
                    if not _event_matches(event, target, params):
                        continue
                    obj = copy.deepcopy(event.obj)
                    obj["apiVersion"] = target.info.api_version
                    yield {"type": event.kind, "object": obj}
                    sent += 1
                    if drop_after is not None and sent >= drop_after:
                        request._raw_request.transport.abort()  # the connection drops
                        return
                left = deadline - loop.time()
                if left <= 0 or emulator.stopping:
                    return
                assert emulator.changed is not None
                async with emulator.changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(emulator.changed.wait(), min(left, 0.1))

        return stream()

    # -- writes

    def _check_namespace(self, target: Target) -> None:
        if (
            target.info.namespaced
            and ("", "namespaces", "", target.namespace) not in self.store.objects
        ):
            raise status_error(
                404,
                "NotFound",
                f'namespaces "{target.namespace}" not found',
                {"name": target.namespace, "kind": "namespaces"},
            )

    def _create(self, target: Target, body: dict[str, Any], params: dict[str, str]) -> Any:
        name = (body.get("metadata") or {}).get("name", "")
        target = Target(target.info, target.namespace, name, "")
        if target.key in self.store.objects:
            raise status_error(
                409,
                "AlreadyExists",
                f'{target.info.plural} "{name}" already exists',
                {"name": name, "kind": target.info.plural},
            )
        self._check_namespace(target)
        manager = params.get("fieldManager", "unknown")
        obj, managers = kube_ssa.update(
            {}, {}, manager, self._writable(target, body), target.info.api_version
        )
        if params.get("dryRun"):
            return kmock.Response(status=201, payload=self._finish(target, obj, None))
        self._save(target, obj, managers)
        return kmock.Response(status=201, payload=self.view(target.key))

    def _patch(self, target: Target, request: Any, params: dict[str, str]) -> Any:
        content_type = request.headers.get("Content-Type", "").split(";")[0]
        body = (
            request.data if isinstance(request.data, (dict, list)) else yaml.safe_load(request.text)
        )
        live = self.store.objects.get(target.key)
        managers = self.store.managers.get(target.key, {})
        if content_type == JSON_PATCH:
            return self._json_patch(target, live, body)
        manager = params.get("fieldManager", "")
        if content_type == APPLY:
            if not manager:
                raise status_error(400, "BadRequest", "fieldManager is required for apply patch")
            if live is None:
                self._check_namespace(target)
            config = self._writable(target, body)
            current = self._writable(target, live) if live else None
            merged, after, conflicts = kube_ssa.apply(
                current,
                managers,
                manager,
                config,
                target.info.api_version,
                force=params.get("force") == "true",
            )
            if conflicts:
                text = "; ".join(map(str, conflicts))
                raise status_error(
                    409,
                    "Conflict",
                    f"Apply failed with {len(conflicts)} conflict{_plural(conflicts)}: {text}",
                    {
                        "causes": [
                            {"reason": "FieldManagerConflict", "message": str(c)} for c in conflicts
                        ]
                    },
                )
        elif content_type in MERGE:
            if live is None:
                raise not_found(target.info, target.name)
            merged, after = kube_ssa.update(
                self._writable(target, live),
                managers,
                manager or "unknown",
                self._writable(target, body),
                target.info.api_version,
            )
        else:
            raise status_error(415, "UnsupportedMediaType", f"{content_type} is not supported")
        obj = self._finish(target, merged, live)
        if self.immutable:
            _refuse_immutable_change(target, live, obj)
        if params.get("dryRun"):
            return self._shown(target, obj, after)
        changed = live is None or obj != live or _owned(after) != _owned(managers)
        if changed:
            self._save(target, obj, after)
        shown = self.view(target.key, api_version=target.info.api_version)
        return kmock.Response(status=201 if live is None else 200, payload=shown)

    def _json_patch(self, target: Target, live: dict[str, Any] | None, ops: Any) -> Any:
        """The JSON patch `kubectl apply --server-side` sends to move managed fields: replace
        `/metadata/managedFields` and `/metadata/resourceVersion` (a precondition)."""
        if live is None:
            raise not_found(target.info, target.name)
        managers = dict(self.store.managers.get(target.key, {}))
        for op in ops:
            if op.get("op") != "replace":
                raise status_error(422, "Invalid", f"op {op.get('op')} is not supported here")
            if op["path"] == "/metadata/resourceVersion":
                if op["value"] != live["metadata"]["resourceVersion"]:
                    raise status_error(
                        409, "Conflict", "the object has been modified; please apply your "
                        "changes to the latest version and try again"
                    )  # fmt: skip
            elif op["path"] == "/metadata/managedFields":
                managers = {
                    e["manager"]: kube_ssa.Manager(
                        e["operation"],
                        e["apiVersion"],
                        kube_ssa.paths(e.get("fieldsV1") or {}),
                        e.get("time", ""),
                    )
                    for e in op["value"]
                }
            else:
                raise status_error(422, "Invalid", f"path {op['path']} is not supported here")
        self._save(target, copy.deepcopy(live), managers)
        return self.view(target.key, api_version=target.info.api_version)

    def _shown(
        self, target: Target, obj: dict[str, Any], managers: dict[str, Any]
    ) -> dict[str, Any]:
        saved = self.store.objects.get(target.key), self.store.managers.get(target.key)
        self.store.objects[target.key], self.store.managers[target.key] = obj, managers
        try:
            return self.view(target.key)
        finally:
            if saved[0] is None:
                del self.store.objects[target.key]
                self.store.managers.pop(target.key, None)
            else:
                self.store.objects[target.key], self.store.managers[target.key] = saved  # type: ignore[assignment]

    def _writable(self, target: Target, body: dict[str, Any]) -> dict[str, Any]:
        """What a write may change: the main resource ignores status, /status only takes status."""
        data = copy.deepcopy(body)
        meta = data.get("metadata") or {}
        for key in ("managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"):
            meta.pop(key, None)
        if meta:
            data["metadata"] = meta
        if not target.info.status:
            return data
        if target.sub == "status":
            live = self.store.objects.get(target.key) or {}
            rest = {k: v for k, v in live.items() if k != "status"}
            return {**copy.deepcopy(rest), "status": data.get("status") or {}}
        data.pop("status", None)
        return data

    def _finish(
        self, target: Target, obj: dict[str, Any], live: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Server-set fields: identity, versions, defaults; status kept from the live object."""
        out = copy.deepcopy(obj)
        meta = out.setdefault("metadata", {})
        meta["name"] = target.name or meta.get("name")
        if target.info.namespaced:
            meta["namespace"] = target.namespace
        old = (live or {}).get("metadata") or {}
        meta["uid"] = old.get("uid") or f"uid-{next(self.store.uids)}"
        meta["creationTimestamp"] = old.get("creationTimestamp") or now()
        out["apiVersion"], out["kind"] = target.info.api_version, target.info.kind
        if target.info.status and target.sub != "status" and live and "status" in live:
            out["status"] = copy.deepcopy(live["status"])
        self._defaults(target, out, live)
        spec_changed = live is None or _spec(out) != _spec(live)
        meta["generation"] = int(old.get("generation") or 0) + (1 if spec_changed else 0)
        meta["resourceVersion"] = old.get("resourceVersion", "")
        return out

    def _defaults(self, target: Target, obj: dict[str, Any], live: dict[str, Any] | None) -> None:
        spec = obj.get("spec")
        if target.info.kind == "Service" and isinstance(spec, dict):
            live_ip = ((live or {}).get("spec") or {}).get("clusterIP")
            spec.setdefault("clusterIP", live_ip or f"10.96.0.{next(self.store.ips)}")
        if target.info.kind == "Deployment" and isinstance(spec, dict):
            spec.setdefault("replicas", 1)
            spec.setdefault("revisionHistoryLimit", 10)

    def _save(self, target: Target, obj: dict[str, Any], managers: dict[str, Any]) -> None:
        kind = "MODIFIED" if target.key in self.store.objects else "ADDED"
        obj["metadata"]["resourceVersion"] = str(self.store.bump())
        for m in managers.values():
            m.time = m.time or now()
        self.store.objects[target.key] = obj
        self.store.managers[target.key] = managers
        self.store.record(kind, target.key, self.view(target.key))
        if target.info.kind == "CustomResourceDefinition" and target.sub != "status":
            asyncio.get_running_loop().call_later(self.crd_delay, self._establish, target.key)

    def _delete(self, target: Target, params: dict[str, str]) -> Any:
        if target.key not in self.store.objects:
            raise not_found(target.info, target.name)
        if params.get("dryRun"):
            return {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Success",
                "details": {"name": target.name},
            }
        obj = self.view(target.key)
        del self.store.objects[target.key]
        self.store.managers.pop(target.key, None)
        self.store.bump()
        obj["metadata"]["resourceVersion"] = str(self.store.version)
        self.store.record("DELETED", target.key, obj)
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Success",
            "details": {"name": target.name, "kind": target.info.plural},
        }

    # -- the CRD "controller"

    def _establish(self, key: Key) -> None:
        crd = self.store.objects.get(key)
        if crd is None:
            return
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        for version in spec.get("versions") or []:
            if version.get("served"):
                self.serve_type(
                    TypeInfo(
                        spec["group"],
                        version["name"],
                        names["plural"],
                        names["kind"],
                        namespaced=spec.get("scope") == "Namespaced",
                        status="status" in (version.get("subresources") or {}),
                    )
                )
        crd["status"] = {
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted"},
            ],
            "acceptedNames": names,
        }
        crd["metadata"]["resourceVersion"] = str(self.store.bump())
        self.store.record("MODIFIED", key, self.view(key))


def _refuse_immutable_change(
    target: Target, live: dict[str, Any] | None, obj: dict[str, Any]
) -> None:
    path = IMMUTABLE.get(target.info.kind)
    if live is None or path is None:
        return
    before, after = live, obj
    for key in path:
        before, after = (before or {}).get(key), (after or {}).get(key)
    if before != after:
        raise status_error(
            422, "Invalid", f'{target.info.kind}.{target.info.group or "core"} "{target.name}" '
            f"is invalid: {'.'.join(path)}: Invalid value: field is immutable"
        )  # fmt: skip


def _plural(items: list[Any]) -> str:
    return "s" if len(items) > 1 else ""


def _owned(managers: dict[str, kube_ssa.Manager]) -> dict[str, Any]:
    return {k: (m.operation, m.api_version, m.fields) for k, m in managers.items()}


def _spec(obj: dict[str, Any]) -> Any:
    return {k: v for k, v in obj.items() if k not in ("apiVersion", "metadata", "status")}


def selected(obj: dict[str, Any], params: dict[str, str]) -> bool:
    """Does `obj` match the labelSelector and fieldSelector of a request?"""
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    for term in filter(None, params.get("labelSelector", "").split(",")):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif "=" in term:
            k, v = term.replace("==", "=").split("=", 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term.strip() not in labels:
            return False
    for term in filter(None, params.get("fieldSelector", "").split(",")):
        k, v = term.replace("==", "=").split("=", 1)
        value = {"metadata.name": meta.get("name"), "metadata.namespace": meta.get("namespace")}
        if k not in value:
            raise status_error(400, "BadRequest", f'field label not supported: "{k}"')
        if value[k] != v:
            return False
    return True


def _event_matches(event: Event, target: Target, params: dict[str, str]) -> bool:
    group, plural, namespace, _ = event.key
    if (group, plural) != (target.info.group, target.info.plural):
        return False
    if target.namespace and namespace != target.namespace:
        return False
    return selected(event.obj, params)


# -- running it, and the helpers the tests use


VERBS = {"GET": "get", "POST": "create", "PATCH": "patch", "DELETE": "delete"}


@dataclass
class Emulator:
    """A running emulator: its URL, a kubeconfig for it, and test helpers."""

    kube: KubeEmulator
    loop: asyncio.AbstractEventLoop
    url: str
    kubeconfig: Path

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run `fn` on the emulator's loop (where the store lives) and return its result."""

        async def run() -> Any:
            result = fn(*args)
            if self.kube.changed is None:
                self.kube.changed = asyncio.Condition()
            async with self.kube.changed:
                self.kube.changed.notify_all()
            return result

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def serve_raycluster(self, *versions: str) -> None:
        """As if the KubeRay CRD were installed, serving `versions` (default: KubeRay 0.4.0's
        v1alpha1; 1.x's serves v1 and v1alpha1); the other versions stop being served."""
        wanted = versions or (RAYCLUSTER_TYPE.version,)

        def run() -> None:
            for version in RAYCLUSTER_VERSIONS:
                info = replace(RAYCLUSTER_TYPE, version=version)
                if version in wanted:
                    self.kube.serve_type(info)
                else:
                    self.kube.unserve_type(info)

        self.call(run)

    def key(self, kind: str, namespace: str, name: str) -> Key:
        info = next(t for t in self.kube.store.types.values() if t.kind == kind)
        return (info.group, info.plural, namespace if info.namespaced else "", name)

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object as the API shows it, or None."""
        key = self.key(kind, namespace, name)
        return self.call(lambda: self.kube.view(key) if key in self.kube.store.objects else None)

    def names(self, kind: str, namespace: str = "") -> list[str]:
        """Names of the stored objects of a kind."""
        info = next(t for t in self.kube.store.types.values() if t.kind == kind)
        return sorted(
            k[3]
            for k in list(self.kube.store.objects)
            if k[:2] == (info.group, info.plural) and (not namespace or k[2] == namespace)
        )

    def put(self, obj: dict[str, Any], manager: str = "test") -> dict[str, Any]:
        """Create or replace an object as `manager` (Update operation), status included."""

        def run() -> dict[str, Any]:
            meta = obj["metadata"]
            info = next(
                t
                for t in self.kube.store.types.values()
                if t.kind == obj["kind"] and t.api_version == obj["apiVersion"]
            )
            target = Target(
                info, meta.get("namespace", "") if info.namespaced else "", meta["name"], ""
            )
            live = self.kube.store.objects.get(target.key)
            body = copy.deepcopy(obj)
            merged, managers = kube_ssa.update(
                {},
                self.kube.store.managers.get(target.key, {}),
                manager,
                {k: v for k, v in body.items() if k != "status"},
                info.api_version,
            )
            out = self.kube._finish(target, merged, live)
            if "status" in obj:
                out["status"] = copy.deepcopy(obj["status"])
            self.kube._save(target, out, managers)
            return self.kube.view(target.key)

        return self.call(run)  # type: ignore[no-any-return]

    def set_status(self, kind: str, namespace: str, name: str, status: dict[str, Any]) -> None:
        """What a controller does: replace the status (a new resourceVersion, a watch event)."""
        key = self.key(kind, namespace, name)

        def run() -> None:
            obj = copy.deepcopy(self.kube.store.objects[key])
            obj["status"] = copy.deepcopy(status)
            info = next(t for t in self.kube.store.types.values() if (t.group, t.plural) == key[:2])
            self.kube._save(
                Target(info, key[2], key[3], "status"), obj, self.kube.store.managers.get(key, {})
            )

        self.call(run)

    def compact(self) -> None:
        """Forget the change log: older watches get 410 Gone."""
        self.call(lambda: setattr(self.kube.store, "compacted", self.kube.store.version + 1))

    def fail(
        self,
        status: int,
        *,
        method: str = "",
        path: str = "",
        times: int = 1,
        retry_after: float | None = None,
        reset: bool = False,
    ) -> list[Any]:
        """The next `times` matching requests fail with `status` (or a connection reset)."""
        hits: list[Any] = []

        def wanted(request: Any) -> bool:
            return len(hits) < times and _request_matches(request, method, path)

        def react(request: Any) -> Any:
            hits.append(request)
            if reset:
                request._raw_request.transport.abort()
                return b""
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            body = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "code": status,
                "reason": "TooManyRequests" if status == 429 else "InternalError",
                "message": f"injected fault {status}",
            }
            return kmock.Response(status=status, payload=body, headers=headers)

        self.kube[wanted] << react
        return hits

    def forbid(self, method: str, plural: str) -> Callable[[], None]:
        """Requests with `method` on `plural` are denied, as RBAC denies them, until allowed."""
        active = [True]

        def wanted(request: Any) -> bool:
            return active[0] and _request_matches(request, method, rf"/{plural}(/|$)")

        def react(request: Any) -> Any:
            target = self.kube._parse(request.url.path)
            group = target.info.group if isinstance(target, Target) else ""
            name = target.name if isinstance(target, Target) else ""
            verb = VERBS.get(method.upper(), method.lower())
            if verb == "get" and not name:
                verb = "list"
            where = (
                f' in the namespace "{target.namespace}"'
                if isinstance(target, Target) and target.namespace
                else ""
            )
            message = (
                f'{plural}{"." + group if group else ""} "{name}" is forbidden: User "tester" '
                f'cannot {verb} resource "{plural}" in API group "{group}"{where}'
            )
            body = {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Failure",
                "code": 403,
                "reason": "Forbidden",
                "message": message,
                "details": {"name": name, "group": group, "kind": plural},
            }
            return kmock.Response(status=403, payload=body)

        self.kube[wanted] << react
        return lambda: active.__setitem__(0, False)

    def drop_watches(self, *after: int) -> None:
        """The next watches drop their connection after that many events each."""
        self.call(lambda: self.kube.watch_drops.extend(after))

    def requests(self, method: str = "", path: str = "") -> list[Any]:
        """The requests seen so far that match."""
        return [r for r in list(self.kube) if _request_matches(r, method, path)]


def _request_matches(request: Any, method: str, path: str) -> bool:
    actual = request.method.value if hasattr(request.method, "value") else str(request.method)
    if method and actual.upper() != method.upper():
        return False
    return not path or re.search(path, request.url.path) is not None


def kubeconfig_text(server: str, namespace: str = "default") -> str:
    """A kubeconfig with one context, `emulator`, for `server`."""
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "emulator", "cluster": {"server": server}}],
            "users": [{"name": "tester", "user": {"token": "test-token"}}],
            "contexts": [
                {
                    "name": "emulator",
                    "context": {"cluster": "emulator", "user": "tester", "namespace": namespace},
                }
            ],
            "current-context": "emulator",
        }
    )


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(directory: Path) -> Iterator[Emulator]:
    """Start an emulator on 127.0.0.1 (with the namespace `syntho`); stop it afterwards."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start() -> tuple[KubeEmulator, Any]:
        handler = KubeEmulator()
        await handler.__aenter__()
        server = kmock.Server(handler)
        await server.__aenter__()
        return handler, server

    handler, server = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    url = str(server.url).rstrip("/")
    config = directory / "kubeconfig"
    config.write_text(kubeconfig_text(url), encoding="utf-8")
    emulator = Emulator(handler, loop, url, config)
    emulator.put({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "syntho"}}, "kube")
    try:
        yield emulator
    finally:

        async def stop() -> None:
            handler.stopping = True
            await server.__aexit__(None, None, None)
            await handler.__aexit__(None, None, None)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, sort_keys=True)
