"""The KubeRay releases syntho-ray renders for, and what each one has: the table, as data.

Facts read from ray-project/kuberay at each release tag: `ray-operator/main.go` (flags),
`ray-operator/pkg/features/features.go` (feature gates), `ray-operator/config/rbac/` (the
rules the operator needs), `ray-operator/config/crd/bases/` (served RayCluster versions),
the batch scheduler plugins and the head Service code. Every row holds from its `since`
release up to, not including, its `until` release. `tests/test_kuberay_versions.py` checks
the table against the source when KUBERAY_SOURCE names a kuberay git directory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

Version = tuple[int, int, int]

RELEASES: tuple[str, ...] = (
    "0.4.0",
    "0.5.0",
    "0.5.2",
    "0.6.0",
    "1.0.0",
    "1.1.0",
    "1.1.1",
    "1.2.0",
    "1.2.1",
    "1.2.2",
    "1.3.0",
    "1.3.1",
    "1.3.2",
    "1.4.0",
    "1.4.1",
    "1.4.2",
    "1.5.0",
    "1.5.1",
    "1.5.2",
    "1.6.0",
    "1.6.1",
    "1.6.2",
    "1.7.0",
)
CHART_RELEASE = "0.4.0"  # what the Helm chart ships; the default


@dataclass(frozen=True, kw_only=True)
class Span:
    """The releases a row holds for: from `since` up to, not including, `until`."""

    since: str = CHART_RELEASE
    until: str | None = None

    def holds_for(self, version: str) -> bool:
        """True if `version` has this row."""
        at = parse(version)
        return parse(self.since) <= at and (self.until is None or at < parse(self.until))


@dataclass(frozen=True)
class Flag(Span):
    """A flag of the operator's `main.go` (Go's `flag` package)."""

    name: str
    boolean: bool = False


@dataclass(frozen=True)
class Rule(Span):
    """A namespaced RBAC rule the operator needs."""

    group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]


@dataclass(frozen=True)
class Gate(Span):
    """A feature gate `--feature-gates` accepts."""

    name: str


@dataclass(frozen=True)
class Scheduler(Span):
    """A name `--batch-scheduler` accepts, and the rules that scheduler needs."""

    name: str
    rules: tuple[Rule, ...] = ()


_READ = ("get", "list", "watch")
_EDIT = ("create", "delete", "get", "list", "patch", "update", "watch")
_CREATE = ("create", "delete", "get", "list", "watch")
_MANAGE = ("create", "delete", "get", "list", "update", "watch")
_STATUS = ("get", "patch", "update")

FLAGS: tuple[Flag, ...] = (
    Flag("metrics-addr"),
    Flag("health-probe-bind-address"),
    Flag("enable-leader-election", boolean=True),
    Flag("reconcile-concurrency"),
    Flag("watch-namespace"),
    Flag("forced-cluster-upgrade", boolean=True),
    Flag("log-file-path"),
    Flag("enable-batch-scheduler", boolean=True),
    Flag("version", boolean=True, until="1.1.0"),
    Flag("prioritize-workers-to-delete", boolean=True, until="0.6.0"),
    Flag("leader-election-namespace", since="1.1.0"),
    Flag("log-file-encoder", since="1.1.0"),
    Flag("log-stdout-encoder", since="1.1.0"),
    Flag("config", since="1.1.0"),
    Flag("use-kubernetes-proxy", boolean=True, since="1.2.0"),
    Flag("feature-gates", since="1.2.0"),
    Flag("batch-scheduler", since="1.2.2"),
    Flag("enable-metrics", boolean=True, since="1.4.0"),
    Flag("qps", since="1.5.0"),
    Flag("burst", since="1.5.0"),
)

# The first rows are the Helm chart's Role (the 0.4.0 operator plus leader election); the
# operator's own rules for later releases follow.
RULES: tuple[Rule, ...] = (
    Rule("", ("configmaps", "events", "pods", "pods/status", "services"), _EDIT),
    Rule("", ("configmaps/status", "services/status"), _STATUS),
    Rule("", ("serviceaccounts",), _CREATE),
    Rule("coordination.k8s.io", ("leases",), ("create", "get", "list", "update")),
    Rule("extensions", ("ingresses",), _EDIT),
    Rule("networking.k8s.io", ("ingresses",), _EDIT),
    Rule("networking.k8s.io", ("ingressclasses",), _READ),
    Rule("ray.io", ("rayclusters", "rayjobs", "rayservices"), _EDIT),
    Rule(
        "ray.io",
        ("rayclusters/finalizers", "rayjobs/finalizers", "rayservices/finalizers"),
        ("update",),
    ),
    Rule("ray.io", ("rayclusters/status", "rayjobs/status", "rayservices/status"), _STATUS),
    Rule("rbac.authorization.k8s.io", ("rolebindings",), _CREATE),
    Rule("rbac.authorization.k8s.io", ("roles",), _MANAGE),
    Rule("batch", ("jobs",), _EDIT, since="0.6.0"),
    Rule("route.openshift.io", ("routes",), _EDIT, since="1.0.0"),
    Rule("", ("endpoints",), ("get", "list"), since="1.1.0", until="1.2.0"),
    Rule("", ("endpoints",), _READ, since="1.2.0", until="1.6.0"),
    Rule("", ("pods",), ("deletecollection",), since="1.1.0"),
    Rule("", ("pods/proxy",), ("get", "patch", "update"), since="1.2.0"),
    Rule("", ("services/proxy",), ("create", "get", "patch", "update"), since="1.2.0"),
    Rule("", ("pods/resize",), ("patch",), since="1.5.0"),
    Rule(
        "gateway.networking.k8s.io",
        ("gateways", "httproutes"),
        ("create", "get", "list", "update", "watch"),
        since="1.5.0",
        until="1.7.0",
    ),
    Rule(
        "gateway.networking.k8s.io",
        ("gateways", "httproutes"),
        ("create", "delete", "get", "list", "update", "watch"),
        since="1.7.0",
    ),
    Rule("", ("secrets",), ("create", "get", "list", "watch"), since="1.5.1", until="1.7.0"),
    Rule("", ("secrets",), ("create", "delete", "get", "list", "update", "watch"), since="1.7.0"),
    Rule("discovery.k8s.io", ("endpointslices",), _READ, since="1.6.0"),
    Rule("ray.io", ("raycronjobs",), _EDIT, since="1.6.0"),
    Rule("ray.io", ("raycronjobs/finalizers",), ("update",), since="1.6.0"),
    Rule("ray.io", ("raycronjobs/status",), _STATUS, since="1.6.0"),
    Rule("", ("persistentvolumeclaims",), _EDIT, since="1.7.0"),
    Rule(
        "cert-manager.io",
        ("certificates",),
        ("create", "get", "list", "update", "watch"),
        since="1.7.0",
    ),
    Rule("cert-manager.io", ("certificates/status",), ("get",), since="1.7.0"),
    Rule("cert-manager.io", ("issuers",), ("create", "get", "list", "watch"), since="1.7.0"),
    Rule("events.k8s.io", ("events",), ("create", "patch"), since="1.7.0"),
    Rule("networking.k8s.io", ("networkpolicies",), _MANAGE, since="1.7.0"),
)
# Volcano's objects, as the chart grants them for `batchScheduler.enabled`.
VOLCANO_RULES: tuple[Rule, ...] = (
    Rule("scheduling.volcano.sh", ("podgroups",), _MANAGE),
    Rule("apiextensions.k8s.io", ("customresourcedefinitions",), ("get",)),
)
SCHEDULERS: tuple[Scheduler, ...] = (
    Scheduler("volcano", VOLCANO_RULES, since="1.2.2"),
    Scheduler("yunikorn", since="1.2.2"),
    Scheduler(
        "scheduler-plugins",
        (Rule("scheduling.x-k8s.io", ("podgroups",), ("create", "get", "list", "watch")),),
        since="1.4.0",
    ),
    Scheduler("kai-scheduler", since="1.5.0"),
)
GATES: tuple[Gate, ...] = (
    Gate("RayClusterStatusConditions", since="1.2.0"),
    Gate("RayJobDeletionPolicy", since="1.3.0"),
    Gate("RayMultiHostIndexing", since="1.5.0"),
    Gate("RayServiceIncrementalUpgrade", since="1.5.0"),
    Gate("RayCronJob", since="1.6.0"),
    Gate("AsyncJobInfoQuery", since="1.6.0", until="1.7.0"),
    *(
        Gate(name, since="1.7.0")
        for name in (
            "SidecarSubmitterRestart",
            "RayClusterNetworkPolicy",
            "GCSFaultToleranceEmbeddedStorage",
            "RayClusterMTLS",
            "RayClusterHistoryServer",
            "KubernetesWAS",
        )
    ),
)
RAYCLUSTER_V1 = Span(since="1.0.0")  # the CRD stores ray.io/v1 (v1alpha1 still served)
WATCH_NAMESPACE_LIST = Span(since="0.5.2")  # --watch-namespace takes a comma-separated list
HEAD_SERVICE = Span(since="0.5.2")  # headGroupSpec.headService
HEAD_SERVICE_SUFFIX = "-head-svc"  # the head Service is `<cluster>-head-svc` unless renamed
FORCED_UPGRADE_WORKS = Span(until="1.2.0")  # later: parsed, logged as deprecated, no effect
# Before 1.0.0 the autoscaler ran this image when rayVersion is below 2 (else the Ray image).
AUTOSCALER_FALLBACK = Span(until="1.0.0")
AUTOSCALER_FALLBACK_IMAGE = "rayproject/ray:2.0.0"

_Row = TypeVar("_Row", bound=Span)
_RELEASE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


def parse(version: str) -> Version:
    """`"1.2.2"` or `"v1.2.2"` -> `(1, 2, 2)`."""
    match = _RELEASE.match(version)
    if match is None:
        raise ValueError(f"not a KubeRay release: {version!r}")
    return int(match[1]), int(match[2]), int(match[3])


def canonical(version: str) -> str | None:
    """The supported release `version` names (`v1.2.2` is `1.2.2`), or None."""
    text = version.removeprefix("v")
    return text if text in RELEASES else None


def rows(table: Iterable[_Row], version: str) -> tuple[_Row, ...]:
    """The rows of `table` that hold for `version`, in table order."""
    return tuple(row for row in table if row.holds_for(version))


def flags(version: str) -> dict[str, bool]:
    """Flag name -> is boolean, for every flag the release's operator defines."""
    return {flag.name: flag.boolean for flag in rows(FLAGS, version)}


def flag(version: str, name: str, value: str) -> str:
    """`--name=value`; refuses a flag the release does not define (the operator would exit)."""
    if name not in flags(version):
        raise ValueError(f"KubeRay {version}'s operator has no flag --{name}")
    return f"--{name}={value}"


def scheduler_names(version: str) -> list[str]:
    """What `--batch-scheduler` accepts in the release (none before 1.2.2)."""
    return [s.name for s in rows(SCHEDULERS, version)]


def gate_names(version: str) -> list[str]:
    """The feature gates the release knows."""
    return [g.name for g in rows(GATES, version)]


def operator_rules(version: str, scheduler: str | None) -> tuple[Rule, ...]:
    """The namespaced rules the release's operator needs, with those of its batch scheduler."""
    return rows(RULES, version) + scheduler_rules(scheduler)


def scheduler_rules(scheduler: str | None) -> tuple[Rule, ...]:
    """The rules the operator needs for its batch scheduler."""
    return next((s.rules for s in SCHEDULERS if s.name == scheduler), ())


def autoscaler_image(
    version: str, ray_version: str | None, chosen: str | None, ray_image: str
) -> str:
    """The image release `version` runs the autoscaler sidecar with: the one `chosen` in
    `autoscalerOptions.image`, else (before 1.0.0, for a rayVersion below 2) the fallback,
    else the Ray image."""
    if chosen:
        return chosen
    if AUTOSCALER_FALLBACK.holds_for(version) and _major(ray_version) < 2:
        return AUTOSCALER_FALLBACK_IMAGE
    return ray_image


def _major(ray_version: str | None) -> int:
    """The major version KubeRay 0.x reads from rayVersion (2 when it cannot read one)."""
    match = re.fullmatch(r"(\d+)(?:\..*)?", ray_version or "")
    return int(match[1]) if match else 2


def scheduler_of(operator: Any) -> str | None:
    """The batch scheduler the operator runs: its name, or Volcano for `enabled` (`operator`
    has `batch_scheduler`: the values of either chart generation, or its operator's)."""
    chosen = operator.batch_scheduler
    return chosen.name or ("volcano" if chosen.enabled else None)
