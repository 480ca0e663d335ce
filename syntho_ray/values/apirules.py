"""What the API server would refuse in the Kubernetes parts of the values, found at render.

The values model checks types; these are the API server's own rules on what the objects
carry: ports in range, quantities not negative, names as Kubernetes spells them, tolerations
that make sense, annotations within their size, and no empty (null) list items, which a
`--set` index past the end of a list leaves behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from syntho_ray.errors import KeyPath
from syntho_ray.k8s.data import quantity_value
from syntho_ray.k8s.patterns import DNS_LABEL, DNS_SUBDOMAIN, ENV_NAME
from syntho_ray.values.view import Pod, ValuesView

Finding = tuple[KeyPath, str]
ANNOTATIONS_LIMIT = 256 * 1024  # bytes of keys and values together, per object
_SIDECARS = ("sidecarContainers", "sidecar_containers")
_LISTS = {  # key in the values -> attribute of the pod values (chart 1.14's: initContainers)
    "initContainers": "init_containers",
    "containerEnv": "container_env",
    "envFrom": "env_from",
    "ports": "ports",
    "tolerations": "tolerations",
    "volumes": "volumes",
    "volumeMounts": "volume_mounts",
    "sidecarContainers": "sidecar_containers",
}


def problems(view: ValuesView) -> Iterator[Finding]:
    """Every rule of the API server the values (of either chart generation) break, with its
    key path."""
    yield from _release(view)
    for path, pod in view.pods:
        yield from _nulls(path, pod)
        yield from _pod(path, pod)


def _release(view: ValuesView) -> Iterator[Finding]:
    if not view.top.syntho_license and not view.top.manual_secret_name:
        yield (
            ("SynthoLicense",),
            "is empty: set your license key (an unset shell variable?), or manualSecretName "
            "to use a Secret of your own",
        )
    storage = view.storage
    if storage.storage_class_name and not _subdomain(storage.storage_class_name):
        yield ("storage", "storageClassName"), _name_rule(storage.storage_class_name)
    size = quantity_value(storage.data_storage) if storage.data_storage else None
    if size is not None and size <= 0:
        yield ("storage", "dataStorage"), f"must be more than 0 (got {storage.data_storage})"
    for path, namespace in view.namespaces:
        if len(namespace) > 63:
            yield path, f"a namespace has at most 63 characters (got {len(namespace)})"
    for path, resources in view.resources:
        yield from _quantities(path, resources)
    for path, env in view.env:
        yield from _env(path, env)
    for path, tolerations in view.tolerations:
        for index, toleration in enumerate(tolerations or []):
            if toleration is not None:
                yield from _toleration((*path, index), toleration)
    for path, given in view.annotations:
        yield from _annotations(path, given)


def _nulls(path: KeyPath, pod: Pod) -> Iterator[Finding]:
    for key, attribute in _LISTS.items():
        items = getattr(pod, attribute, None) or []
        for index, item in enumerate(items):
            if item is None:
                yield (
                    (*path, key, index),
                    f"an empty (null) item: a --set index such as [{len(items) - 1}] fills the "
                    "items before it with nulls; set every index from [0], or give the whole "
                    "list with --set-json",
                )


def _pod(path: KeyPath, pod: Pod) -> Iterator[Finding]:
    containers: list[tuple[KeyPath, Any]] = [(path, None)]
    for key, attribute in (("initContainers", "init_containers"), _SIDECARS):
        containers += [
            ((*path, key, i), c) for i, c in enumerate(getattr(pod, attribute, None) or []) if c
        ]
    for where, container in containers:
        ports = pod.ports if container is None else container.ports
        env = pod.container_env if container is None else container.env
        resources = pod.resources if container is None else container.resources
        yield from _ports((*where, "ports"), ports)
        yield from _env((*where, "containerEnv" if container is None else "env"), env)
        yield from _quantities((*where, "resources"), resources)
    for index, volume in enumerate(pod.volumes or []):
        if volume is not None and (not DNS_LABEL.match(volume.name or "") or len(volume.name) > 63):
            yield (*path, "volumes", index, "name"), _label_rule(volume.name)
    for index, toleration in enumerate(pod.tolerations or []):
        if toleration is not None:
            yield from _toleration((*path, "tolerations", index), toleration)
    yield from _annotations((*path, "annotations"), pod.annotations)


def _annotations(path: KeyPath, annotations: dict[str, str] | None) -> Iterator[Finding]:
    size = sum(len(k.encode()) + len(str(v).encode()) for k, v in (annotations or {}).items())
    if size > ANNOTATIONS_LIMIT:
        yield path, f"{size:,} bytes in total; the API server takes at most 256 KiB"


def _ports(path: KeyPath, ports: Any) -> Iterator[Finding]:
    for index, port in enumerate(ports or []):
        for attribute, key in (("container_port", "containerPort"), ("host_port", "hostPort")):
            number = getattr(port, attribute, None) if port is not None else None
            if number is not None and not 1 <= number <= 65535:
                yield (*path, index, key), f"a port is 1 to 65535 (got {number})"


def _env(path: KeyPath, env: Any) -> Iterator[Finding]:
    for index, variable in enumerate(env or []):
        name = getattr(variable, "name", None) if variable is not None else None
        if variable is not None and not ENV_NAME.match(name or ""):
            yield (
                (*path, index, "name"),
                f"{name!r} is not an environment variable name: letters, digits, '_', '-' "
                "and '.', not starting with a digit",
            )


def _quantities(path: KeyPath, resources: Any) -> Iterator[Finding]:
    for group in ("limits", "requests"):
        for name, amount in (getattr(resources, group, None) or {}).items():
            value = quantity_value(amount)
            if value is not None and value < 0:
                yield (*path, group, name), f"must not be negative (got {amount})"


def _toleration(path: KeyPath, toleration: Any) -> Iterator[Finding]:
    if toleration.operator == "Exists" and toleration.value:
        yield (*path, "value"), "must be empty when operator is Exists (it matches any value)"
    if not toleration.key and toleration.operator not in (None, "Exists"):
        yield (*path, "operator"), "must be Exists when key is empty (it matches every taint)"
    if not toleration.key and toleration.operator is None:
        yield (*path, "key"), "is empty: give the taint's key, or operator: Exists for every taint"


def _subdomain(name: str) -> bool:
    return bool(DNS_SUBDOMAIN.match(name)) and len(name) <= 253


def _name_rule(name: str) -> str:
    return (
        f"{name!r} is not a valid name: lower-case letters, digits, '-' and '.', "
        "starting and ending with a letter or digit"
    )


def _label_rule(name: str | None) -> str:
    return (
        f"{name!r} is not a valid volume name: at most 63 lower-case letters, digits and '-', "
        "starting and ending with a letter or digit"
    )
