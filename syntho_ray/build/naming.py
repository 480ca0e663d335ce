"""Names and labels derived from the values, as the chart's `_helpers.tpl` derives them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from syntho_ray.facts.kuberay import HEAD_SERVICE_SUFFIX
from syntho_ray.k8s import client
from syntho_ray.k8s.patterns import DNS_LABEL

if TYPE_CHECKING:
    from syntho_ray.resolve import Resolved

RAY_CLUSTER_CHART = "ray-cluster"  # the chart that names the RayCluster (both generations)
MANAGED_BY = "syntho-ray"
DEFAULT_NAMESPACE = "syntho"
DEFAULT_RELEASE = "ray-cluster"


@dataclass(frozen=True)
class Release:
    """Where and under which release name the objects are installed."""

    name: str = DEFAULT_RELEASE
    namespace: str = DEFAULT_NAMESPACE

    def problems(self) -> list[str]:
        """What is wrong with the namespace or release name (Kubernetes' and Helm's rules)."""
        found = []
        if not DNS_LABEL.match(self.namespace) or len(self.namespace) > 63:
            found.append(
                f"--namespace {self.namespace!r}: not a valid namespace (lower-case "
                "letters, digits and '-', at most 63 characters)"
            )
        if not DNS_LABEL.match(self.name) or len(self.name) > 53:
            found.append(
                f"--release {self.name!r}: not a valid release name (lower-case "
                "letters, digits and '-', at most 53 characters, as in Helm)"
            )
        return found

    def checked(self) -> Release:
        """This release, or a usage error naming what is wrong with it."""
        from syntho_ray.errors import UsageError

        if found := self.problems():
            raise UsageError("; ".join(found))
        return self


def _dns_trunc(name: str) -> str:
    """Helm's `trunc 63 | trimSuffix "-"`."""
    name = name[:63]
    return name[:-1] if name.endswith("-") else name


def fullname(
    chart: str, name_override: str | None, fullname_override: str | None, release: Release
) -> str:
    """A chart's full name (`_helpers.tpl`): fullnameOverride, else the release name with the
    chart's name (nameOverride, else the chart's) unless the release name holds it."""
    if fullname_override:
        return _dns_trunc(fullname_override)
    name = name_override or chart
    return _dns_trunc(release.name if name in release.name else f"{release.name}-{name}")


def operator_name(resolved: Resolved, release: Release) -> str:
    """Name of the operator Deployment, its Service and RBAC."""
    operator = resolved.values.operator
    chart = resolved.facts.operator_chart
    return fullname(chart, operator.name_override, operator.fullname_override, release)


def cluster_name(resolved: Resolved, release: Release) -> str:
    """Name of the RayCluster."""
    cluster = resolved.values.cluster
    return fullname(RAY_CLUSTER_CHART, cluster.name_override, cluster.fullname_override, release)


def head_service_name(resolved: Resolved, release: Release) -> str:
    """The head Service's name: KubeRay's `<cluster>-head-svc`, or the one `headService`
    gives it."""
    service = resolved.values.cluster.head.head_service
    named = service.metadata.name if service is not None and service.metadata else None
    return named or f"{cluster_name(resolved, release)}{HEAD_SERVICE_SUFFIX}"


def app_name(resolved: Resolved) -> str:
    """The operator's `app.kubernetes.io/name` label: nameOverride, else the chart name."""
    return _dns_trunc(resolved.values.operator.name_override or resolved.facts.operator_chart)


def service_account_name(resolved: Resolved, release: Release) -> str:
    """The operator's ServiceAccount: its name, else the full name (or `default` if not created)."""
    account = resolved.values.operator.service_account
    if account.name:
        return account.name
    return operator_name(resolved, release) if account.create else "default"


def selector_labels(resolved: Resolved, release: Release) -> dict[str, str]:
    """Labels that select the operator's pods."""
    return {
        "app.kubernetes.io/name": app_name(resolved),
        "app.kubernetes.io/instance": release.name,
    }


def common_labels(resolved: Resolved, release: Release) -> dict[str, str]:
    """Labels on the operator's objects (and, in chart 1.13, on every object)."""
    return selector_labels(resolved, release) | {"app.kubernetes.io/managed-by": MANAGED_BY}


def cluster_labels(resolved: Resolved, release: Release) -> dict[str, str]:
    """Labels on the RayCluster and its pods."""
    if resolved.facts.raycluster_name_label:
        return common_labels(resolved, release)
    return {"app.kubernetes.io/instance": release.name, "app.kubernetes.io/managed-by": MANAGED_BY}


def metadata(
    name: str,
    release: Release,
    labels: dict[str, str] | None,
    *,
    annotations: dict[str, str] | None = None,
) -> client.V1ObjectMeta:
    """Metadata of a namespaced object of this release."""
    return client.V1ObjectMeta(
        name=name,
        namespace=release.namespace,
        annotations=annotations or None,
        labels=labels or None,
    )
