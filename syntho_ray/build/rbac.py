"""The operator's ServiceAccount and RBAC: namespaced Roles, or cluster-wide ones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syntho_ray.build.naming import (
    Release,
    common_labels,
    operator_name,
    service_account_name,
)
from syntho_ray.build.operator import watched_namespaces
from syntho_ray.facts import kuberay
from syntho_ray.facts.charts import LEADER_ELECTION_RULES, UserRole
from syntho_ray.facts.kuberay import Rule
from syntho_ray.k8s import client
from syntho_ray.resolve import Resolved

RBAC_API = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"


def _rules(table: Iterable[Rule]) -> list[Any]:
    return [
        client.V1PolicyRule(
            api_groups=[rule.group], resources=list(rule.resources), verbs=list(rule.verbs)
        )
        for rule in table
    ]


def _meta(name: str, labels: dict[str, str] | None, namespace: str | None) -> client.V1ObjectMeta:
    return client.V1ObjectMeta(name=name, namespace=namespace, labels=labels or None)


def operator_rules(resolved: Resolved) -> tuple[Rule, ...]:
    """What the operator needs where it works: the chart's rules (or, for chart 1.13, those of
    the KubeRay release), and those of its batch scheduler."""
    base = resolved.facts.operator_rules
    if base is None:
        base = kuberay.rows(kuberay.RULES, resolved.kuberay)
    return base + kuberay.scheduler_rules(kuberay.scheduler_of(resolved.values.operator))


def service_account(resolved: Resolved, release: Release) -> client.V1ServiceAccount:
    """The operator's ServiceAccount."""
    return client.V1ServiceAccount(
        api_version="v1",
        kind="ServiceAccount",
        metadata=_meta(
            service_account_name(resolved, release),
            common_labels(resolved, release),
            release.namespace,
        ),
    )


def role(
    resolved: Resolved,
    release: Release,
    name: str,
    rules: Iterable[Rule],
    *,
    namespace: str | None,
    labelled: bool = True,
) -> Any:
    """A Role in `namespace`, or a ClusterRole when `namespace` is None."""
    labels = common_labels(resolved, release) if labelled else None
    kind = client.V1Role if namespace else client.V1ClusterRole
    return kind(
        api_version=RBAC_API,
        kind="Role" if namespace else "ClusterRole",
        metadata=_meta(name, labels, namespace),
        rules=_rules(rules),
    )


def binding(resolved: Resolved, release: Release, name: str, *, namespace: str | None) -> Any:
    """Grants the role `name` to the operator's ServiceAccount (cluster-wide without namespace)."""
    kind = client.V1RoleBinding if namespace else client.V1ClusterRoleBinding
    return kind(
        api_version=RBAC_API,
        kind="RoleBinding" if namespace else "ClusterRoleBinding",
        metadata=_meta(name, common_labels(resolved, release), namespace),
        role_ref=client.V1RoleRef(
            api_group=RBAC_GROUP, kind="Role" if namespace else "ClusterRole", name=name
        ),
        subjects=[
            client.RbacV1Subject(
                kind="ServiceAccount",
                namespace=release.namespace,
                name=service_account_name(resolved, release),
            )
        ],
    )


def role_namespaces(resolved: Resolved, release: Release) -> list[str]:
    """Where the operator gets its Role: every namespace it watches, and (unless leader
    election has a Role of its own) its own namespace first."""
    watched = watched_namespaces(resolved, release)
    if resolved.facts.leader_election_role:
        return watched
    return list(dict.fromkeys([release.namespace, *watched]))


def _granted(resolved: Resolved, release: Release, name: str, namespace: str | None) -> list[Any]:
    rules = operator_rules(resolved)
    return [
        role(resolved, release, name, rules, namespace=namespace),
        binding(resolved, release, name, namespace=namespace),
    ]


def _user_roles(resolved: Resolved, release: Release, namespace: str | None) -> list[Any]:
    roles: Iterable[UserRole] = resolved.facts.user_roles
    return [
        role(resolved, release, r.name, r.rules, namespace=namespace, labelled=r.labelled)
        for r in roles
    ]


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The ServiceAccount (when created) and the RBAC (when enabled)."""
    operator, facts = resolved.values.operator, resolved.facts
    name = operator_name(resolved, release)
    objects: list[Any] = []
    if operator.service_account.create:
        objects.append(service_account(resolved, release))
    if not operator.rbac_enable:
        return objects
    if facts.leader_election_role:
        elect = f"{name}-leader-election"
        objects += [
            role(resolved, release, elect, LEADER_ELECTION_RULES, namespace=release.namespace),
            binding(resolved, release, elect, namespace=release.namespace),
        ]
    if not operator.single_namespace_install:
        objects += _granted(resolved, release, name, None)
        return objects + (
            _user_roles(resolved, release, None) if facts.user_roles_cluster_wide else []
        )
    if operator.cr_namespaced_rbac_enable:
        for namespace in role_namespaces(resolved, release):
            objects += _granted(resolved, release, name, namespace)
    if not facts.user_roles_cluster_wide:
        objects += _user_roles(resolved, release, release.namespace)
    return objects
