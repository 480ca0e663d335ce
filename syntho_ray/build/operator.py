"""The KubeRay operator: its Deployment and Service."""

from __future__ import annotations

from typing import Any

from syntho_ray.build.naming import (
    Release,
    common_labels,
    metadata,
    operator_name,
    selector_labels,
    service_account_name,
)
from syntho_ray.facts import kuberay
from syntho_ray.k8s import client
from syntho_ray.k8s.data import or_none
from syntho_ray.resolve import Resolved
from syntho_ray.values.shared import ProbeValues

HTTP_PORT = 8080
LOG_VOLUME = "kuberay-logs"


def watched_namespaces(resolved: Resolved, release: Release) -> list[str]:
    """The namespaces the operator watches: `watchNamespace`, else the release's (none, that
    is every namespace, without singleNamespaceInstall)."""
    operator = resolved.values.operator
    if operator.watch_namespace:
        return list(operator.watch_namespace)
    return [release.namespace] if operator.single_namespace_install else []


def operator_flags(resolved: Resolved, release: Release) -> list[tuple[str, str]]:
    """(flag, value) of every flag the values ask for, in the order the chart writes them."""
    operator = resolved.values.operator
    scheduler, logging = operator.batch_scheduler, operator.logging
    gates = ",".join(f"{g.name}={_go_bool(g.enabled)}" for g in operator.feature_gates or [])
    found = {
        "watch-namespace": ",".join(watched_namespaces(resolved, release)),
        "forced-cluster-upgrade": "true"
        if kuberay.FORCED_UPGRADE_WORKS.holds_for(resolved.kuberay)
        else "",
        "enable-batch-scheduler": "true" if scheduler.enabled else "",
        "batch-scheduler": scheduler.name or "",
        "enable-leader-election": _optional_bool(operator.leader_election_enabled),
        "feature-gates": gates,
        "log-file-path": f"{logging.base_dir}/{logging.file_name}" if _log_file(resolved) else "",
        "log-stdout-encoder": logging.stdout_encoder or "",
        "log-file-encoder": logging.file_encoder or "",
        "use-kubernetes-proxy": _optional_bool(operator.use_kubernetes_proxy),
    }
    return [(name, found[name]) for name in resolved.facts.flag_order if found[name]]


def _go_bool(value: bool) -> str:
    return "true" if value else "false"


def _optional_bool(value: bool | None) -> str:
    return "" if value is None else _go_bool(value)


def _log_file(resolved: Resolved) -> bool:
    logging = resolved.values.operator.logging
    return bool(logging.base_dir and logging.file_name)


def operator_command(resolved: Resolved, release: Release) -> tuple[list[str], list[str] | None]:
    """The operator's command and args: only flags its KubeRay release defines."""
    facts, version = resolved.facts, resolved.kuberay
    written: list[str] = []
    for name, value in operator_flags(resolved, release):
        flag = kuberay.flag(version, name, value)  # refuses a flag the release lacks
        if name in facts.bare_flags:
            written.append(f"--{name}")
        elif name in facts.paired_flags:
            written += [f"--{name}", value]
        else:
            written.append(flag)
    if facts.args_as_list:
        return ["/manager"], written or None
    return ["/manager", *written], None


def _probe(timing: ProbeValues) -> client.V1Probe:
    return client.V1Probe(
        http_get=client.V1HTTPGetAction(path="/metrics", port="http"),
        initial_delay_seconds=timing.initial_delay_seconds,
        period_seconds=timing.period_seconds,
        failure_threshold=timing.failure_threshold,
    )


def _container(resolved: Resolved, release: Release) -> client.V1Container:
    operator = resolved.values.operator
    command, args = operator_command(resolved, release)
    logs = operator.logging.base_dir if _log_file(resolved) else None
    return client.V1Container(
        name=resolved.facts.operator_chart,
        image=operator.image.reference,
        image_pull_policy=operator.image.pull_policy,
        command=command,
        args=args,
        env=or_none(operator.env),
        ports=[client.V1ContainerPort(name="http", container_port=HTTP_PORT, protocol="TCP")],
        liveness_probe=_probe(operator.liveness_probe),
        readiness_probe=_probe(operator.readiness_probe),
        resources=or_none(operator.resources),
        security_context=or_none(operator.security_context),
        volume_mounts=[client.V1VolumeMount(name=LOG_VOLUME, mount_path=logs)] if logs else None,
    )


def _pod(resolved: Resolved, release: Release) -> client.V1PodSpec:
    operator = resolved.values.operator
    logs = _log_file(resolved)
    return client.V1PodSpec(
        service_account_name=service_account_name(resolved, release),
        image_pull_secrets=or_none(operator.image_pull_secrets),
        security_context=or_none(operator.pod_security_context),
        containers=[_container(resolved, release)],
        volumes=[client.V1Volume(name=LOG_VOLUME, empty_dir=client.V1EmptyDirVolumeSource())]
        if logs
        else None,
        node_selector=or_none(operator.node_selector),
        affinity=or_none(operator.affinity),
        tolerations=or_none(operator.tolerations),
    )


def deployment(resolved: Resolved, release: Release) -> client.V1Deployment:
    """The operator Deployment."""
    operator, facts = resolved.values.operator, resolved.facts
    selector = selector_labels(resolved, release)
    extra = dict(operator.labels or {})
    pod_labels = selector | {"app.kubernetes.io/component": facts.operator_chart} | extra
    return client.V1Deployment(
        api_version="apps/v1",
        kind="Deployment",
        metadata=metadata(
            operator_name(resolved, release),
            release,
            common_labels(resolved, release) | extra,
            annotations=dict(facts.operator_annotations),
        ),
        spec=client.V1DeploymentSpec(
            replicas=1,
            strategy=client.V1DeploymentStrategy(type="Recreate"),
            selector=client.V1LabelSelector(match_labels=selector),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(
                    labels=pod_labels, annotations=or_none(operator.annotations)
                ),
                spec=_pod(resolved, release),
            ),
        ),
    )


def service(resolved: Resolved, release: Release) -> client.V1Service:
    """The operator's metrics Service."""
    operator = resolved.values.operator
    return client.V1Service(
        api_version="v1",
        kind="Service",
        metadata=metadata(
            operator_name(resolved, release), release, common_labels(resolved, release)
        ),
        spec=client.V1ServiceSpec(
            type=operator.service.type,
            ports=[
                client.V1ServicePort(
                    name="http", port=operator.service.port, target_port="http", protocol="TCP"
                )
            ],
            selector=selector_labels(resolved, release),
        ),
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The operator's Service and Deployment."""
    return [service(resolved, release), deployment(resolved, release)]
