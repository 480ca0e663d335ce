"""The KubeRay operator: its Deployment and Service."""

from __future__ import annotations

from typing import Any

from syntho_ray.build.naming import (
    CHART_NAME,
    Release,
    fullname,
    metadata,
    selector_labels,
    service_account_name,
)
from syntho_ray.build.resolved import Resolved
from syntho_ray.facts import kuberay
from syntho_ray.k8s import client
from syntho_ray.k8s.data import or_none
from syntho_ray.values.model import ProbeValues, Values

HTTP_PORT = 8080


def watched_namespaces(values: Values, release: Release) -> list[str]:
    """The namespaces the operator watches: `watchNamespace`, else the release's."""
    return list(values.watch_namespace or [release.namespace])


def operator_flags(values: Values, release: Release) -> list[tuple[str, str]]:
    """(flag, value) of every flag the values ask for: the chart's, then the 1.x settings."""
    chosen = values.batch_scheduler
    found = [("watch-namespace", ",".join(watched_namespaces(values, release)))]
    if kuberay.FORCED_UPGRADE_WORKS.holds_for(kuberay.version_of(values)):
        found.append(("forced-cluster-upgrade", "true"))
    if chosen.enabled:
        found.append(("enable-batch-scheduler", "true"))
    if chosen.name:
        found.append(("batch-scheduler", chosen.name))
    if values.leader_election_enabled is not None:
        found.append(("enable-leader-election", _go_bool(values.leader_election_enabled)))
    if values.feature_gates:
        gates = (f"{g.name}={_go_bool(g.enabled)}" for g in values.feature_gates)
        found.append(("feature-gates", ",".join(gates)))
    return found


def _go_bool(value: bool) -> str:
    return "true" if value else "false"


def operator_command(values: Values, release: Release) -> list[str]:
    """The operator's command line: only flags its KubeRay release defines, as `--name=value`."""
    version = kuberay.version_of(values)
    flags = operator_flags(values, release)
    return ["/manager", *(kuberay.flag(version, name, value) for name, value in flags)]


def _probe(timing: ProbeValues) -> client.V1Probe:
    return client.V1Probe(
        http_get=client.V1HTTPGetAction(path="/metrics", port="http"),
        initial_delay_seconds=timing.initial_delay_seconds,
        period_seconds=timing.period_seconds,
        failure_threshold=timing.failure_threshold,
    )


def _container(values: Values, release: Release) -> client.V1Container:
    return client.V1Container(
        name=CHART_NAME,
        image=values.operator_image.reference,
        image_pull_policy=values.operator_image.pull_policy,
        command=operator_command(values, release),
        ports=[client.V1ContainerPort(name="http", container_port=HTTP_PORT, protocol="TCP")],
        liveness_probe=_probe(values.liveness_probe),
        readiness_probe=_probe(values.readiness_probe),
        resources=or_none(values.resources),
        security_context=or_none(values.security_context),
    )


def deployment(values: Values, release: Release) -> client.V1Deployment:
    """The operator Deployment, watching only the release namespace."""
    selector = selector_labels(values, release)
    pod = client.V1PodSpec(
        service_account_name=service_account_name(values, release),
        image_pull_secrets=or_none(values.image_pull_secrets),
        security_context=or_none(values.pod_security_context),
        containers=[_container(values, release)],
        node_selector=or_none(values.node_selector),
        affinity=or_none(values.affinity),
        tolerations=or_none(values.tolerations),
    )
    return client.V1Deployment(
        api_version="apps/v1",
        kind="Deployment",
        metadata=metadata(
            fullname(values, release),
            values,
            release,
            annotations={"argocd.argoproj.io/sync-options": "Replace=true"},
        ),
        spec=client.V1DeploymentSpec(
            replicas=1,
            strategy=client.V1DeploymentStrategy(type="Recreate"),
            selector=client.V1LabelSelector(match_labels=selector),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(
                    labels=selector | {"app.kubernetes.io/component": CHART_NAME}
                ),
                spec=pod,
            ),
        ),
    )


def service(values: Values, release: Release) -> client.V1Service:
    """The operator's metrics Service."""
    return client.V1Service(
        api_version="v1",
        kind="Service",
        metadata=metadata(fullname(values, release), values, release),
        spec=client.V1ServiceSpec(
            type=values.service.type,
            ports=[
                client.V1ServicePort(
                    name="http", port=values.service.port, target_port="http", protocol="TCP"
                )
            ],
            selector=selector_labels(values, release),
        ),
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The operator's Service and Deployment."""
    values = resolved.values
    return [service(values, release), deployment(values, release)]
