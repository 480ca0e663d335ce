"""The operator's ServiceAccount and its namespaced RBAC."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from syntho_ray.build.naming import Release, fullname, metadata, service_account_name
from syntho_ray.build.operator import watched_namespaces
from syntho_ray.build.resolved import Resolved
from syntho_ray.facts import kuberay
from syntho_ray.facts.kuberay import Rule
from syntho_ray.k8s import client
from syntho_ray.values.model import Values

_READ = ("get", "list", "watch")
_EDIT = ("create", "delete", "get", "list", "patch", "update", "watch")
_RAYJOB_STATUS = Rule("ray.io", ("rayjobs/status",), ("get",))
_RAYJOB_EDITOR_RULES = (Rule("ray.io", ("rayjobs",), _EDIT), _RAYJOB_STATUS)
_RAYJOB_VIEWER_RULES = (Rule("ray.io", ("rayjobs",), _READ), _RAYJOB_STATUS)


def _rules(table: Iterable[Rule]) -> list[Any]:
    return [
        client.V1PolicyRule(
            api_groups=[rule.group], resources=list(rule.resources), verbs=list(rule.verbs)
        )
        for rule in table
    ]


def service_account(values: Values, release: Release) -> client.V1ServiceAccount:
    """The operator's ServiceAccount."""
    return client.V1ServiceAccount(
        api_version="v1",
        kind="ServiceAccount",
        metadata=metadata(service_account_name(values, release), values, release),
    )


def operator_role(values: Values, release: Release, namespace: str | None = None) -> client.V1Role:
    """What the operator may do in `namespace` (default: the release's): the rules its KubeRay
    release needs, and those of its batch scheduler."""
    where = replace(release, namespace=namespace or release.namespace)
    table = kuberay.operator_rules(kuberay.version_of(values), kuberay.scheduler_of(values))
    return client.V1Role(
        api_version="rbac.authorization.k8s.io/v1",
        kind="Role",
        metadata=metadata(fullname(values, release), values, where),
        rules=_rules(table),
    )


def operator_role_binding(
    values: Values, release: Release, namespace: str | None = None
) -> client.V1RoleBinding:
    """Grants the operator Role in `namespace` to the operator's ServiceAccount."""
    name = fullname(values, release)
    where = replace(release, namespace=namespace or release.namespace)
    return client.V1RoleBinding(
        api_version="rbac.authorization.k8s.io/v1",
        kind="RoleBinding",
        metadata=metadata(name, values, where),
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


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The ServiceAccount (when created) and the RBAC (when enabled)."""
    values = resolved.values
    objects: list[Any] = []
    if values.service_account.create:
        objects.append(service_account(values, release))
    if values.rbac_enable:
        for namespace in role_namespaces(values, release):
            objects += [
                operator_role(values, release, namespace),
                operator_role_binding(values, release, namespace),
            ]
        objects += [
            rayjob_role(values, release, edit=True),
            rayjob_role(values, release, edit=False),
        ]
    return objects


def role_namespaces(values: Values, release: Release) -> list[str]:
    """Where the operator gets its Role: its own namespace (leader election, events) first,
    then every namespace it watches."""
    return list(dict.fromkeys([release.namespace, *watched_namespaces(values, release)]))
