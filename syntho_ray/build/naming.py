"""Names and labels derived from the values, as the chart's `_helpers.tpl` derives them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from syntho_ray.k8s import client

if TYPE_CHECKING:
    from syntho_ray.values.model import Values

CHART_NAME = "ray-cluster"
MANAGED_BY = "syntho-ray"
DEFAULT_NAMESPACE = "syntho"
DEFAULT_RELEASE = "ray-cluster"


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class Release:
    """Where and under which release name the objects are installed."""

    name: str = DEFAULT_RELEASE
    namespace: str = DEFAULT_NAMESPACE

    def problems(self) -> list[str]:
        """What is wrong with the namespace or release name (Kubernetes' and Helm's rules)."""
        found = []
        if not _DNS_LABEL.match(self.namespace) or len(self.namespace) > 63:
            found.append(
                f"--namespace {self.namespace!r}: not a valid namespace (lower-case "
                "letters, digits and '-', at most 63 characters)"
            )
        if not _DNS_LABEL.match(self.name) or len(self.name) > 53:
            found.append(
                f"--release {self.name!r}: not a valid release name (lower-case "
                "letters, digits and '-', at most 53 characters, as in Helm)"
            )
        return found


def _dns_trunc(name: str) -> str:
    """Helm's `trunc 63 | trimSuffix "-"`."""
    name = name[:63]
    return name[:-1] if name.endswith("-") else name


def app_name(values: Values) -> str:
    """The `app.kubernetes.io/name` label: nameOverride, else the chart name."""
    return _dns_trunc(values.name_override or CHART_NAME)


def fullname(values: Values, release: Release) -> str:
    """Name of the operator Deployment, its Service and RBAC."""
    if values.fullname_override:
        return _dns_trunc(values.fullname_override)
    name = values.name_override or CHART_NAME
    return _dns_trunc(release.name if name in release.name else f"{release.name}-{name}")


def service_account_name(values: Values, release: Release) -> str:
    """The operator's ServiceAccount: its name, else the full name (or `default` if not created)."""
    account = values.service_account
    if account.name:
        return account.name
    return fullname(values, release) if account.create else "default"


def selector_labels(values: Values, release: Release) -> dict[str, str]:
    """Labels that select the operator's pods."""
    return {"app.kubernetes.io/name": app_name(values), "app.kubernetes.io/instance": release.name}


def common_labels(values: Values, release: Release) -> dict[str, str]:
    """Labels on every object the release owns."""
    return selector_labels(values, release) | {"app.kubernetes.io/managed-by": MANAGED_BY}


def metadata(
    name: str,
    values: Values,
    release: Release,
    *,
    labelled: bool = True,
    annotations: dict[str, str] | None = None,
) -> client.V1ObjectMeta:
    """Metadata of a namespaced object of this release."""
    return client.V1ObjectMeta(
        name=name,
        namespace=release.namespace,
        annotations=annotations or None,
        labels=common_labels(values, release) if labelled else None,
    )
