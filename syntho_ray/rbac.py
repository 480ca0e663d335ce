"""The operator's ServiceAccount and its namespaced RBAC."""

from __future__ import annotations

from typing import Any

from kubernetes import client

from syntho_ray.naming import Release, fullname, metadata, service_account_name
from syntho_ray.values import Values

_READ = ("get", "list", "watch")
_EDIT = ("create", "delete", "get", "list", "patch", "update", "watch")

# (apiGroup, resources, verbs): what the KubeRay 0.4.0 operator needs in its namespace.
_OPERATOR_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("", ("configmaps", "events", "pods", "pods/status", "services"), _EDIT),
    ("", ("configmaps/status", "services/status"), ("get", "patch", "update")),
    ("", ("serviceaccounts",), ("create", "delete", "get", "list", "watch")),
    ("coordination.k8s.io", ("leases",), ("create", "get", "list", "update")),
    ("extensions", ("ingresses",), _EDIT),
    ("networking.k8s.io", ("ingresses",), _EDIT),
    ("networking.k8s.io", ("ingressclasses",), _READ),
    ("ray.io", ("rayclusters", "rayjobs", "rayservices"), _EDIT),
    (
        "ray.io",
        ("rayclusters/finalizers", "rayjobs/finalizers", "rayservices/finalizers"),
        ("update",),
    ),
    (
        "ray.io",
        ("rayclusters/status", "rayjobs/status", "rayservices/status"),
        ("get", "patch", "update"),
    ),
    ("rbac.authorization.k8s.io", ("rolebindings",), ("create", "delete", "get", "list", "watch")),
    (
        "rbac.authorization.k8s.io",
        ("roles",),
        ("create", "delete", "get", "list", "update", "watch"),
    ),
)
_BATCH_SCHEDULER_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "scheduling.volcano.sh",
        ("podgroups",),
        ("create", "delete", "get", "list", "update", "watch"),
    ),
    ("apiextensions.k8s.io", ("customresourcedefinitions",), ("get",)),
)
_RAYJOB_EDITOR_RULES = (("ray.io", ("rayjobs",), _EDIT), ("ray.io", ("rayjobs/status",), ("get",)))
_RAYJOB_VIEWER_RULES = (("ray.io", ("rayjobs",), _READ), ("ray.io", ("rayjobs/status",), ("get",)))


def _rules(table: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]) -> list[Any]:
    return [
        client.V1PolicyRule(api_groups=[group], resources=list(resources), verbs=list(verbs))
        for group, resources, verbs in table
    ]


def service_account(values: Values, release: Release) -> client.V1ServiceAccount:
    """The operator's ServiceAccount."""
    return client.V1ServiceAccount(
        api_version="v1",
        kind="ServiceAccount",
        metadata=metadata(service_account_name(values, release), values, release),
    )


def operator_role(values: Values, release: Release) -> client.V1Role:
    """What the operator may do in its namespace (and Volcano's objects for the batch scheduler)."""
    table = _OPERATOR_RULES + (_BATCH_SCHEDULER_RULES if values.batch_scheduler.enabled else ())
    return client.V1Role(
        api_version="rbac.authorization.k8s.io/v1",
        kind="Role",
        metadata=metadata(fullname(values, release), values, release),
        rules=_rules(table),
    )


def operator_role_binding(values: Values, release: Release) -> client.V1RoleBinding:
    """Grants the operator Role to the operator's ServiceAccount."""
    name = fullname(values, release)
    return client.V1RoleBinding(
        api_version="rbac.authorization.k8s.io/v1",
        kind="RoleBinding",
        metadata=metadata(name, values, release),
        role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role", name=name),
        subjects=[
            client.RbacV1Subject(
                kind="ServiceAccount",
                namespace=release.namespace,
                name=service_account_name(values, release),
            )
        ],
    )


def rayjob_role(values: Values, release: Release, *, edit: bool) -> client.V1Role:
    """`rayjob-editor-role` or `rayjob-viewer-role`, for people who submit Ray jobs."""
    return client.V1Role(
        api_version="rbac.authorization.k8s.io/v1",
        kind="Role",
        metadata=metadata(f"rayjob-{'editor' if edit else 'viewer'}-role", values, release),
        rules=_rules(_RAYJOB_EDITOR_RULES if edit else _RAYJOB_VIEWER_RULES),
    )


def build(values: Values, release: Release) -> list[Any]:
    """The ServiceAccount (when created) and the RBAC (when enabled)."""
    objects: list[Any] = []
    if values.service_account.create:
        objects.append(service_account(values, release))
    if values.rbac_enable:
        objects += [
            operator_role(values, release),
            operator_role_binding(values, release),
            rayjob_role(values, release, edit=True),
            rayjob_role(values, release, edit=False),
        ]
    return objects
