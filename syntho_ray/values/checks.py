"""Checks that need the whole values, after each key has its type: bounds, names, mounts.

Each check gives (key path, message) pairs; `loading` locates them in the files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from syntho_ray.errors import KeyPath
from syntho_ray.facts import ray as ray_facts
from syntho_ray.facts.charts import SHARED_VOLUMES
from syntho_ray.facts.kuberay import HEAD_SERVICE_SUFFIX
from syntho_ray.k8s.data import quantity_value
from syntho_ray.k8s.patterns import DNS_1035, DNS_SUBDOMAIN, LABEL_KEY, LABEL_VALUE
from syntho_ray.values import apirules, imageref
from syntho_ray.values.model import (
    RayPodValues,
    Values,
    WorkerGroupValues,
    enabled_worker_groups,
    replica_bounds,
)
from syntho_ray.values.raystart import check_start_params
from syntho_ray.values.suggest import env_suggestion, ray_env_warning
from syntho_ray.values.view import Pod, ValuesView

Finding = tuple[KeyPath, str]
_DNS_1035_RULE = (
    "lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"
)
MIN_HEAD_MEMORY = 2 * 10**9  # the guide: never less than 2G for the Ray head
MIN_RAY_POD_MEMORY = 8 * 10**9  # the chart's comments: not less than 8G for a Ray pod
GroupBounds = tuple[int | None, int, int]  # replicas (None: left out), minReplicas, maxReplicas
SHARED = frozenset(volume for volume, _, _ in SHARED_VOLUMES)  # chart 1.13 adds them to every pod
_OBJECT_NAME_RULE = (
    "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit"
)


def problems(values: Values) -> list[Finding]:
    """Everything that would make the render invalid or the cluster fail."""
    groups: list[tuple[str, KeyPath, Any, GroupBounds]] = [
        (name, path, group, replica_bounds(group))
        for name, (path, group) in _enabled_with_paths(values)
    ]
    return [
        *_names(values),
        *group_findings(groups),
        *pod_findings(list(_pods(values)), SHARED, values.head.ray_version),
        *storage_findings(values.storage.data_storage),
        *shared_problems(view_113(values)),
    ]


def view_113(values: Values) -> ValuesView:
    """The parts of chart 1.13's values the shared checks read, at their key paths."""
    from syntho_ray.values.model import chart_defaults

    pods = list(_pods(values))
    return ValuesView(
        pods=pods,
        images=[(("operatorImage",), values.operator_image), (("image",), values.image)],
        references=list(_image_references(values)),
        top=values,
        storage=values.storage,
        namespaces=[(("watchNamespace", i), n) for i, n in enumerate(values.watch_namespace or [])],
        resources=[(("resources",), values.resources)],
        env=[],
        tolerations=[],
        annotations=[(("annotations",), values.annotations)],
        defaults=chart_defaults(),
    )


def shared_problems(view: ValuesView) -> Iterator[Finding]:
    """The checks of either chart generation: image references, requests within limits and
    the API server's rules (values/apirules.py)."""
    yield from _images(view)
    yield from _requests_within_limits(view)
    yield from apirules.problems(view)


def object_names(named: dict[KeyPath, str | None]) -> Iterator[Finding]:
    """Each name that is not a valid Kubernetes object name (DNS subdomain)."""
    for path, text in named.items():
        if text and (not DNS_SUBDOMAIN.match(text) or len(text) > 253):
            yield path, f"{text!r} is not a valid object name: {_OBJECT_NAME_RULE}"


def dns_1035(path: KeyPath, text: str | None, what: str) -> Iterator[Finding]:
    """`text` if it is not a DNS-1035 label (after Helm's truncation to 63)."""
    if text and not DNS_1035.match(text[:63].rstrip("-")):
        yield path, f"{text!r} names {what}: {_DNS_1035_RULE}"


def cluster_name(path: KeyPath, name: str) -> Iterator[Finding]:
    """A RayCluster name: a DNS-1035 label short enough for its head Service's name."""
    longest = 63 - len(HEAD_SERVICE_SUFFIX)
    if not DNS_1035.match(name):
        yield path, f"{name!r} is not a valid name: {_DNS_1035_RULE}"
    elif len(name) > longest:
        yield (
            path,
            (
                f"{name!r} is {len(name)} characters; at most {longest}, so "
                f"that '{name}{HEAD_SERVICE_SUFFIX}' fits in 63"
            ),
        )


def _requests_within_limits(view: ValuesView) -> Iterator[Finding]:
    """Kubernetes refuses a pod whose request is above its limit; a request the chart's
    defaults keep (when only limits are given) is named as such, with the way out."""
    pods = [(path, pod.resources) for path, pod in view.pods]
    given = [(path[:-1], resources) for path, resources in view.resources]
    for path, resources in [*pods, *given]:
        requests = (resources.requests if resources else None) or {}
        limits = (resources.limits if resources else None) or {}
        for name in sorted(set(requests) & set(limits)):
            request, limit = quantity_value(requests[name]), quantity_value(limits[name])
            if request is None or limit is None or request <= limit:
                continue
            where = ".".join(map(str, (*path, "resources")))
            message = f"{requests[name]} is above limits.{name} {limits[name]}"
            for kind, amounts, other in (("requests", requests, "limits"), ("limits", limits, "")):
                if amounts[name] == view.default_at((*path, "resources", kind, name)):
                    message += (
                        f": {amounts[name]} is the chart's default {kind}.{name}, kept when only "
                        f"{other or 'requests'} are given; set {where}.{kind} too, or drop the "
                        f"defaults with --set {where}.{kind}=null"
                    )
                    break
            yield (*path, "resources", "requests", name), message


def _images(view: ValuesView) -> Iterator[Finding]:
    """Every image is a valid reference: `tag: <tag>` is a placeholder, not a tag."""
    for path, image in view.images:
        yield from _found((*path, "repository"), imageref.name_problem(image.repository))
        yield from _found((*path, "tag"), imageref.tag_problem(image.tag))
    for path, reference in view.references:
        yield from _found(path, imageref.reference_problem(reference))


def _image_references(values: Values) -> Iterator[tuple[KeyPath, str]]:
    head = values.head
    if head.init_container.image:
        yield ("head", "initContainer", "image"), head.init_container.image
    if head.autoscaler_options and head.autoscaler_options.image:
        yield ("head", "autoscalerOptions", "image"), head.autoscaler_options.image
    for path, pod in _pods(values):
        if isinstance(pod, WorkerGroupValues) and pod.init_container_image:
            yield (*path, "initContainerImage"), pod.init_container_image
        for index, sidecar in enumerate(pod.sidecar_containers or []):
            if image := getattr(sidecar, "image", None):
                yield (*path, "sidecarContainers", index, "image"), image


def _found(path: KeyPath, problem: str | None) -> Iterator[Finding]:
    if problem is not None:
        yield path, problem


def _names(values: Values) -> Iterator[Finding]:
    yield from cluster_name(("clustername",), values.clustername)
    yield from dns_1035(("fullnameOverride",), values.fullname_override, "the operator's objects")
    yield from dns_1035(("nameOverride",), values.name_override, "the operator's objects")
    yield from object_names(
        {
            ("manualSecretName",): values.manual_secret_name,
            ("serviceAccount", "name"): values.service_account.name,
        }
    )


def group_findings(groups: list[tuple[str, KeyPath, Any, GroupBounds]]) -> Iterator[Finding]:
    """Names (valid, once each) and replica bounds of the enabled worker groups."""
    seen: dict[str, KeyPath] = {}
    for name, path, _, bounds in groups:
        where = (*path, "groupName") if path[-1] == "worker" else path
        if not name or not LABEL_VALUE.match(name) or len(name) > 63:
            yield (
                where,
                (
                    f"worker group name {name!r} must be 1-63 letters, digits, '-', '_' "
                    "or '.', starting and ending with a letter or digit"
                ),
            )
        if name in seen:
            yield (
                where,
                (f"worker group name {name!r} is already used by {'.'.join(map(str, seen[name]))}"),
            )
        seen.setdefault(name, where)
        yield from _bounds(path, bounds)


def _enabled_with_paths(values: Values) -> Iterator[tuple[str, tuple[KeyPath, WorkerGroupValues]]]:
    groups = values.additional_worker_groups or {}
    for name, group in enabled_worker_groups(values):
        in_map = groups.get(name) is group
        yield name, (("additionalWorkerGroups", name) if in_map else ("worker",), group)


def _bounds(path: KeyPath, bounds: GroupBounds) -> Iterator[Finding]:
    replicas, low, high = bounds
    if low > high:
        yield (*path, "minReplicas"), f"minReplicas {low} is above maxReplicas {high}"
    elif replicas is not None and not low <= replicas <= high:
        yield (
            (*path, "replicas"),
            (f"replicas {replicas} is outside minReplicas {low} .. maxReplicas {high}"),
        )


def _pods(values: Values) -> Iterator[tuple[KeyPath, RayPodValues]]:
    yield ("head",), values.head
    for _, (path, group) in _enabled_with_paths(values):
        yield path, group


def pod_findings(
    pods: list[tuple[KeyPath, Pod]], shared: frozenset[str], ray_version: str | None
) -> Iterator[Finding]:
    """Labels, start parameters (for the Ray release), env names, volumes, containers and
    mounts of each Ray pod; `shared` names the volumes the chart adds to every pod."""
    yield from _mounts(pods, shared)
    for path, pod in pods:
        yield from _labels(path, pod)
        yield from _start_params(path, pod, ray_version)
        for index, env in enumerate(pod.container_env or []):
            if hint := env_suggestion(getattr(env, "name", None) or ""):
                yield (*path, "containerEnv", index, "name"), hint
        for index, volume in enumerate(pod.volumes or []):
            if not any(getattr(volume, a) is not None for a in volume.openapi_types if a != "name"):
                yield (
                    (*path, "volumes", index),
                    (
                        f"volume {volume.name!r} has no source (for "
                        "example emptyDir: {} or persistentVolumeClaim)"
                    ),
                )
        for index, sidecar in enumerate(pod.sidecar_containers or []):
            if not sidecar.image:
                yield (*path, "sidecarContainers", index, "image"), "required for a container"


def _labels(path: KeyPath, pod: Pod) -> Iterator[Finding]:
    maps = {
        "labels": (pod.labels, True),
        "nodeSelector": (pod.node_selector, True),
        "annotations": (pod.annotations, False),
    }
    for key, (mapping, check_value) in maps.items():
        for name, text in (mapping or {}).items():
            if not LABEL_KEY.match(name) or len(name) > 316:
                yield (
                    (*path, key, name),
                    (
                        f"{name!r} is not a valid key: an optional DNS prefix "
                        "and '/', then up to 63 letters, digits, '-', '_' or '.'"
                    ),
                )
            elif check_value and (not LABEL_VALUE.match(text) or len(text) > 63):
                yield (
                    (*path, key, name),
                    (
                        f"{text!r} is not a valid label value: up to 63 "
                        "letters, digits, '-', '_' or '.'"
                    ),
                )


def _start_params(path: KeyPath, pod: Pod, ray_version: str | None) -> Iterator[Finding]:
    """Errors of the group's start parameters for the Ray release (values/raystart.py)."""
    yield from (f for f, error in _start_findings(path, pod, ray_version) if error)


def _start_findings(
    path: KeyPath, pod: Pod, ray_version: str | None
) -> Iterator[tuple[Finding, bool]]:
    for key in ("rayStartParams", "initArgs"):
        params = pod.ray_start_params if key == "rayStartParams" else pod.init_args
        for found in check_start_params(params or {}, ray_version):
            yield ((*path, key, found.key), found.message), found.error


def ray_warnings(
    pods: list[tuple[KeyPath, Pod]],
    ray_version: str | None,
    version_path: KeyPath,
    user: Mapping[str, Any],
) -> list[Finding]:
    """The Ray release (at `version_path`), the start parameters' warnings for it, and the
    env names Ray does not read where the user's values set them."""
    found = [f for p, pod in pods for f, error in _start_findings(p, pod, ray_version) if not error]
    ignored = [f for path, pod in pods for f in ignored_env(path, pod.container_env, user)]
    return [*_ray_version(ray_version, version_path), *found, *ignored]


def ignored_env(path: KeyPath, env: list[Any] | None, user: Mapping[str, Any]) -> Iterator[Finding]:
    """The entries of the containerEnv at `path` that set a name Ray does not read, where the
    user's values give that containerEnv (the chart's own default is the README's to note)."""
    if not given(user, (*path, "containerEnv")):
        return
    for index, item in enumerate(env or []):
        if warning := ray_env_warning(getattr(item, "name", None) or ""):
            yield (*path, "containerEnv", index, "name"), warning


def located_warnings(values: Values, user: Mapping[str, Any]) -> list[Finding]:
    """What renders but is probably wrong, with its key path (`user`: the user's own values)."""
    return ray_warnings(list(_pods(values)), values.head.ray_version, ("head", "rayVersion"), user)


def given(user: Mapping[str, Any], path: KeyPath) -> bool:
    """Whether the user's values hold a key at `path`."""
    data: Any = user
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return False
        data = data[key]
    return True


def _ray_version(ray_version: str | None, path: KeyPath) -> Iterator[Finding]:
    newest = ray_facts.newest()
    if not ray_version:
        yield (
            path,
            (
                f"not set: start parameters were checked against Ray {newest.version}, the "
                "newest release syntho-ray knows, as warnings only; set it to the Ray release "
                "of your image"
            ),
        )
        return
    release = ray_facts.release_for(ray_version)
    if release is None:
        first = ray_facts.releases()[0].version
        yield (
            path,
            (
                f"{ray_version!r} is not a Ray release syntho-ray knows ({first} to "
                f"{newest.version}): start parameters not checked"
            ),
        )
    elif release is newest and ray_facts.find(ray_version) is None:
        yield (
            path,
            (
                f"{ray_version!r} is newer than the newest Ray release syntho-ray knows: start "
                f"parameters were checked against Ray {newest.version}"
            ),
        )


def _mounts(pods: list[tuple[KeyPath, Pod]], shared: frozenset[str]) -> Iterator[Finding]:
    for path, pod in pods:
        names = [v.name for v in pod.volumes or []]
        for index, name in enumerate(names):
            if name in shared or name in names[:index]:
                yield (*path, "volumes", index, "name"), f"volume name {name!r} is used twice"
        available = shared | set(names)
        containers: list[tuple[KeyPath, Any]] = [((*path, "volumeMounts"), pod.volume_mounts)]
        containers += [
            ((*path, "sidecarContainers", i, "volumeMounts"), c.volume_mounts)
            for i, c in enumerate(pod.sidecar_containers or [])
        ]
        for mounts_path, mounts in containers:
            for index, mount in enumerate(mounts or []):
                if mount.name not in available:
                    yield (
                        (*mounts_path, index, "name"),
                        (
                            f"mounts volume {mount.name!r}, which this pod does not have (its "
                            f"volumes: {', '.join(sorted(available))})"
                        ),
                    )


def storage_findings(size: str | None) -> Iterator[Finding]:
    """`storage.dataStorage`, when it is not a Kubernetes quantity."""
    if size is not None and quantity_value(size) is None:
        yield ("storage", "dataStorage"), f"not a Kubernetes quantity: {size!r} (for example 500Gi)"


def sizing_warnings(values: Values) -> list[str]:
    """The deployment guide's sizing rules."""
    return resource_warnings(list(_pods(values)))


def resource_warnings(pods: list[tuple[KeyPath, Pod]]) -> list[str]:
    """The deployment guide's sizing rules, for the Ray pods (the head first)."""
    found: list[str] = []
    head_path, head = pods[0]
    memory = _limit(head, "memory")
    if memory is not None and memory < MIN_HEAD_MEMORY:
        found.append(
            f"{'.'.join(map(str, head_path))}.resources: less than 2G of memory for the Ray "
            "head; the guide says never to allocate less than 2G"
        )
    for index, (path, pod) in enumerate(pods):
        where = ".".join(map(str, path))
        resources = pod.resources
        if small := _undersized(pod, is_head=index == 0):
            found.append(f"{where}.resources: {small}")
        if resources is None or not resources.limits:
            found.append(
                f"{where}.resources: no limits; the guide says always to set CPU and "
                "memory limits for Ray pods"
            )
        elif resources.requests and _amounts(resources.requests) != _amounts(resources.limits):
            found.append(
                f"{where}.resources: requests differ from limits; the guide "
                "recommends setting them equal"
            )
    return found


def _undersized(pod: Pod, *, is_head: bool) -> str:
    """The chart's advice when a Ray pod has less than 8G (the head's 2G rule warns itself)."""
    memory = _limit(pod, "memory")
    if memory is None or memory >= MIN_RAY_POD_MEMORY:
        return ""
    if is_head and memory < MIN_HEAD_MEMORY:
        return ""
    given = pod.resources.limits["memory"] if pod.resources and pod.resources.limits else memory
    return f"{given} of memory; the chart advises at least 8G for a Ray pod in production"


def _limit(pod: Pod, name: str) -> float | None:
    limits = pod.resources.limits if pod.resources is not None else None
    value = (limits or {}).get(name)
    return None if value is None else quantity_value(value)


def _amounts(quantities: dict[str, Any]) -> dict[str, Any]:
    return {k: quantity_value(v) for k, v in quantities.items()}
