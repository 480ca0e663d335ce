"""Which Pod Security Standards level each rendered pod template meets, and why not a higher one.

The levels are Kubernetes' own: privileged (anything), baseline (no known privilege
escalations) and restricted (hardened). Only the controls a values file can affect are checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Level = Literal["privileged", "baseline", "restricted"]
_BASELINE_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
_RESTRICTED_VOLUMES = (
    "config_map",
    "csi",
    "downward_api",
    "empty_dir",
    "ephemeral",
    "persistent_volume_claim",
    "projected",
    "secret",
)
_SECCOMP_OK = ("RuntimeDefault", "Localhost")


@dataclass(frozen=True)
class PodReport:
    """The level one pod template meets, with the reasons it misses the stricter ones."""

    pod: str
    level: Level
    reasons: tuple[str, ...]


def pod_templates(objects: list[Any]) -> Iterator[tuple[str, Any]]:
    """(description, V1PodSpec) of every pod template among rendered objects."""
    for obj in objects:
        name = f"{obj.kind}/{obj.metadata.name}"
        if obj.kind == "Deployment":
            yield name, obj.spec.template.spec
        elif obj.kind == "RayCluster":
            yield f"{name} head", obj.spec.head_group_spec.template.spec
            for group in obj.spec.worker_group_specs or []:
                yield f"{name} group {group.group_name}", group.template.spec


def evaluate(pod: str, spec: Any) -> PodReport:
    """The Pod Security Standards level of one pod spec."""
    baseline = list(_baseline_violations(spec))
    restricted = list(_restricted_violations(spec))
    level: Level = "privileged" if baseline else ("baseline" if restricted else "restricted")
    return PodReport(pod, level, tuple(baseline + restricted))


def _containers(spec: Any) -> Iterator[tuple[str, Any]]:
    for container in spec.init_containers or []:
        yield f"init container {container.name!r}", container
    for container in spec.containers or []:
        yield f"container {container.name!r}", container


def _baseline_violations(spec: Any) -> Iterator[str]:
    for flag in ("host_network", "host_pid", "host_ipc"):
        if getattr(spec, flag):
            yield f"pod: {flag.replace('_', '')} is true (baseline forbids it)"
    for volume in spec.volumes or []:
        if volume.host_path is not None:
            yield f"volume {volume.name!r}: hostPath (baseline forbids it)"
    if _seccomp(spec.security_context) == "Unconfined":
        yield "pod: seccompProfile Unconfined (baseline forbids it)"
    for what, container in _containers(spec):
        context = container.security_context
        if context is not None and context.privileged:
            yield f"{what}: privileged (baseline forbids it)"
        added = set(getattr(context and context.capabilities, "add", None) or [])
        if added - _BASELINE_CAPABILITIES:
            yield f"{what}: adds capabilities {sorted(added - _BASELINE_CAPABILITIES)}"
        if any(port.host_port for port in container.ports or []):
            yield f"{what}: uses a hostPort (baseline forbids it)"
        if _seccomp(context) == "Unconfined":
            yield f"{what}: seccompProfile Unconfined (baseline forbids it)"


def _restricted_violations(spec: Any) -> Iterator[str]:
    pod = spec.security_context
    for volume in spec.volumes or []:
        if not any(getattr(volume, kind) is not None for kind in _RESTRICTED_VOLUMES):
            yield f"volume {volume.name!r}: a volume type restricted does not allow"
    for what, container in _containers(spec):
        context = container.security_context
        if getattr(context, "allow_privilege_escalation", None) is not False:
            yield f"{what}: allowPrivilegeEscalation is not false"
        if not _first(context, pod, "run_as_non_root"):
            yield f"{what}: runAsNonRoot is not true{_root_detail(container)}"
        if _first(context, pod, "run_as_user") == 0:
            yield f"{what}: runAsUser is 0 (root)"
        if (_seccomp(context) or _seccomp(pod)) not in _SECCOMP_OK:
            yield f"{what}: no seccompProfile RuntimeDefault or Localhost"
        capabilities = getattr(context, "capabilities", None)
        if "ALL" not in (getattr(capabilities, "drop", None) or []):
            yield f"{what}: does not drop ALL capabilities"
        if set(getattr(capabilities, "add", None) or []) - {"NET_BIND_SERVICE"}:
            yield f"{what}: adds capabilities other than NET_BIND_SERVICE"


def _first(container_context: Any, pod_context: Any, field: str) -> Any:
    value = getattr(container_context, field, None)
    return value if value is not None else getattr(pod_context, field, None)


def _seccomp(context: Any) -> str | None:
    profile = getattr(context, "seccomp_profile", None)
    return getattr(profile, "type", None)


def _root_detail(container: Any) -> str:
    command = " ".join(container.command or [])
    return (
        f", so it may run as root (and it runs `{command}`)"
        if "chmod" in command
        else (", so it may run as root")
    )
