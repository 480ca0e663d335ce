"""Syntho's two chart generations, as data: what each renders that the other does not.

A generation is a values layout (`values.model` for 1.13, `values.model114` for 1.14) and the
few object differences below. The builders read these facts, never a generation's name.
Read from `helm/ray` of syntho-ai/deployment-tools at 47f975a (chart `ray-cluster` 1.13.0) and
`helm/ray/chart` at 43bba3c (chart `ray` 1.14.0 with KubeRay's charts `kuberay-operator` and
`ray-cluster` 1.2.2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from syntho_ray.facts import kuberay
from syntho_ray.facts.kuberay import Rule

Chart = Literal["1.13", "1.14"]
CHARTS: tuple[Chart, ...] = ("1.13", "1.14")
DEFAULT_CHART: Chart = "1.13"  # the deployment guide's

# The two ReadWriteMany claims of both charts: (volume name, claim name, mount path), in mount
# order. Chart 1.13 adds them to every Ray pod; chart 1.14 lists them in its values.
WORKFLOWS_CLAIM = "ray-workflows-claim"
DATA_CLAIM = "ray-data-claim"
WORKFLOWS_PATH = "/tmp/ray-workflows"
DATA_PATH = "/tmp/ray-data"
SHARED_VOLUMES = (
    ("ray-workflows", WORKFLOWS_CLAIM, WORKFLOWS_PATH),
    ("ray-data", DATA_CLAIM, DATA_PATH),
)

_READ = ("get", "list", "watch")
_EDIT = ("create", "delete", "get", "list", "patch", "update", "watch")
_LEASES = ("create", "get", "list", "update")

# kuberay-operator 1.2.2's `<fullname>-leader-election` Role.
LEADER_ELECTION_RULES: tuple[Rule, ...] = (
    Rule("", ("configmaps",), ("get", "list", "watch", "create", "update", "patch", "delete")),
    Rule("", ("configmaps/status",), ("get", "update", "patch")),
    Rule("", ("events",), ("create",)),
    Rule("coordination.k8s.io", ("leases",), _LEASES),
)


def chart_operator_rules(version: str) -> tuple[Rule, ...]:
    """The Role KubeRay's operator chart of release `version` gives the operator (its
    `role.consistentRules`, in each namespace or as a ClusterRole): the release's rules
    without the ConfigMaps (its leader-election Role has those), in controller-gen's order
    (by API group, `core` for the core group, then resource)."""
    kept = (
        replace(rule, resources=tuple(r for r in rule.resources if not r.startswith("configmaps")))
        for rule in kuberay.rows(kuberay.RULES, version)
    )
    return tuple(
        sorted((r for r in kept if r.resources), key=lambda r: (r.group or "core", r.resources))
    )


OPERATOR_RULES_114 = chart_operator_rules("1.2.2")


@dataclass(frozen=True)
class UserRole:
    """A role for people who submit Ray jobs or services (not bound by the chart)."""

    name: str
    rules: tuple[Rule, ...]
    labelled: bool = True  # the chart gives it the operator's labels


def _user_role(kind: str, edit: bool, labelled: bool = True) -> UserRole:
    return UserRole(
        f"{kind}-{'editor' if edit else 'viewer'}-role",
        (
            Rule("ray.io", (f"{kind}s",), _EDIT if edit else _READ),
            Rule("ray.io", (f"{kind}s/status",), ("get",)),
        ),
        labelled,
    )


RAYJOB_ROLES = (_user_role("rayjob", edit=True), _user_role("rayjob", edit=False))
RAYSERVICE_ROLES = (
    _user_role("rayservice", edit=True, labelled=False),
    _user_role("rayservice", edit=False, labelled=False),
)


@dataclass(frozen=True)
class ChartFacts:
    """One generation of Syntho's Ray chart: its identity and what its objects look like."""

    generation: Chart
    name: str  # Chart.yaml's name, as a Helm release record has it
    version: str
    commit: str  # of syntho-ai/deployment-tools
    kuberay: str | None  # the KubeRay release it pins; None: the value `kuberay.version` picks
    operator_chart: str  # the operator's chart: its container, component label, name fallback
    operator_annotations: tuple[tuple[str, str], ...]  # of the operator Deployment
    args_as_list: bool  # the operator's flags in `args`; else `/manager --name=value ...`
    flag_order: tuple[str, ...]  # the operator flags, in the order the chart writes them
    paired_flags: frozenset[str]  # in `args`: `--name`, `value` as two items
    bare_flags: frozenset[str]  # in `args`: a boolean as `--name` alone
    leader_election_role: bool  # a Role `<fullname>-leader-election` of its own
    operator_rules: tuple[Rule, ...] | None  # None: what the KubeRay release's operator needs
    user_roles: tuple[UserRole, ...]
    user_roles_cluster_wide: bool  # ClusterRoles without singleNamespaceInstall; else Roles

    @property
    def cluster_rbac(self) -> bool:
        """Can the chart render cluster-wide RBAC (`singleNamespaceInstall: false`)?"""
        return self.user_roles_cluster_wide

    raycluster_name_label: bool  # the RayCluster and Ray pods carry `app.kubernetes.io/name`
    secret_labelled: bool
    secret_annotations: tuple[tuple[str, str], ...]


CHART_113 = ChartFacts(
    generation="1.13",
    name="ray-cluster",
    version="1.13.0",
    commit="47f975a",
    kuberay=None,
    operator_chart="ray-cluster",
    operator_annotations=(("argocd.argoproj.io/sync-options", "Replace=true"),),
    args_as_list=False,
    flag_order=(
        "watch-namespace",
        "forced-cluster-upgrade",
        "enable-batch-scheduler",
        "batch-scheduler",
        "enable-leader-election",
        "feature-gates",
    ),
    paired_flags=frozenset(),
    bare_flags=frozenset(),
    leader_election_role=False,
    operator_rules=None,
    user_roles=RAYJOB_ROLES,
    user_roles_cluster_wide=False,
    raycluster_name_label=True,
    secret_labelled=True,
    secret_annotations=(),
)
CHART_114 = ChartFacts(
    generation="1.14",
    name="ray",
    version="1.14.0",
    commit="43bba3c",
    kuberay="1.2.2",
    operator_chart="kuberay-operator",
    operator_annotations=(),
    args_as_list=True,
    flag_order=(
        "feature-gates",
        "enable-batch-scheduler",
        "batch-scheduler",
        "watch-namespace",
        "log-file-path",
        "log-stdout-encoder",
        "log-file-encoder",
        "use-kubernetes-proxy",
        "enable-leader-election",
    ),
    paired_flags=frozenset(
        {"watch-namespace", "log-file-path", "log-stdout-encoder", "log-file-encoder"}
    ),
    bare_flags=frozenset({"enable-batch-scheduler"}),
    leader_election_role=True,
    operator_rules=OPERATOR_RULES_114,
    user_roles=RAYJOB_ROLES + RAYSERVICE_ROLES,
    user_roles_cluster_wide=True,
    raycluster_name_label=False,
    secret_labelled=False,
    secret_annotations=(("helm.sh/resource-policy", "keep"),),
)
FACTS: dict[Chart, ChartFacts] = {"1.13": CHART_113, "1.14": CHART_114}


def chart_of_release(name: str, version: str) -> Chart | None:
    """The generation of a Helm release's chart (its record's chart name and version):
    `ray-cluster` 1.13.x is 1.13, `ray` 1.14.x is 1.14; anything else None."""
    for facts in FACTS.values():
        if name == facts.name and version.split(".")[:2] == facts.version.split(".")[:2]:
            return facts.generation
    return None
