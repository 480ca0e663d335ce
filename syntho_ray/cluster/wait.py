"""Waiting until the release is ready: the operator available, the RayCluster `ready`.

Each object is followed with a watch from the resourceVersion last seen; a
watch that ends or drops resumes from there, one that is too old (410 Gone)
starts again from a fresh read. Readiness is judged by pure functions of the
object; on timeout `diagnose` explains what is not ready and why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from syntho_ray.cluster.apply import established
from syntho_ray.cluster.connect import ApiError, Session, Unreachable
from syntho_ray.cluster.refs import Ref
from syntho_ray.errors import ClusterError
from syntho_ray.facts.kinds import KINDS

WATCH_WINDOW = 60.0  # seconds one watch request stays open
RAY_CLUSTER_LABEL = "ray.io/cluster"
READY_STATE = "ready"
EVENTS_SHOWN = 8


@dataclass(frozen=True)
class Readiness:
    """Whether one object is ready, and a short account of its state."""

    ref: Ref
    ready: bool
    detail: str  # its state in a few words: "1/2 available", "does not exist"

    def line(self) -> str:
        """One line for a progress display."""
        mark = "ready" if self.ready else "waiting"
        return f"{mark:7} {self.ref.kind} {self.ref.name}: {self.detail}"


Judge = Callable[[Ref, dict[str, Any] | None], Readiness]
Progress = Callable[[list[Readiness]], None]


def deployment_readiness(ref: Ref, obj: dict[str, Any] | None) -> Readiness:
    """Rolled out and available, as `kubectl rollout status` judges it."""
    if obj is None:
        return Readiness(ref, False, "does not exist")
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    want = int(spec.get("replicas", 1))
    updated = int(status.get("updatedReplicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    total = int(status.get("replicas") or 0)
    for condition in status.get("conditions") or []:
        if condition.get("reason") == "ProgressDeadlineExceeded":
            return Readiness(ref, False, f"rollout stuck: {condition.get('message', '')}")
    if int(status.get("observedGeneration") or 0) < int(meta.get("generation") or 0):
        return Readiness(ref, False, "rollout not observed yet")
    if updated < want:
        return Readiness(ref, False, f"{updated}/{want} replicas updated")
    if total > updated:
        return Readiness(ref, False, f"{total - updated} old replicas terminating")
    if available < want:
        return Readiness(ref, False, f"{available}/{want} available")
    return Readiness(ref, True, f"{available}/{want} available")


def raycluster_readiness(ref: Ref, obj: dict[str, Any] | None) -> Readiness:
    """KubeRay reports `status.state: ready`."""
    if obj is None:
        return Readiness(ref, False, "does not exist")
    status = obj.get("status") or {}
    state = status.get("state")
    detail = f"state {state}" if state else "no state reported yet (is the operator running?)"
    if status.get("reason"):
        detail += f" ({status['reason']})"
    if "desiredWorkerReplicas" in status:
        detail += (
            f", workers {status.get('availableWorkerReplicas', 0)}/"
            f"{status['desiredWorkerReplicas']} available"
        )
    return Readiness(ref, state == READY_STATE, detail)


JUDGES: dict[str, Judge] = {"Deployment": deployment_readiness, "RayCluster": raycluster_readiness}


class WaitTimeout(ClusterError):
    """The release did not become ready in time; lines say what is not ready and why."""


@dataclass
class Waiter:
    """Follows objects until they are ready or the deadline passes."""

    session: Session
    deadline: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    window: float = WATCH_WINDOW

    def left(self) -> float:
        """Seconds until the deadline."""
        return self.deadline - self.clock()

    def until_ready(self, ref: Ref, emit: Callable[[Readiness], None]) -> Readiness:
        """Watch `ref` until it is ready (or time is up); the last readiness seen."""
        judge = JUDGES[ref.kind]
        obj, found = self._read(ref)
        version: str | None = found
        state = judge(ref, obj)
        emit(state)
        attempt = 0
        while not state.ready and self.left() > 0:
            if version is None:
                obj, version = self._read(ref)
                state = judge(ref, obj)
                emit(state)
                continue
            try:
                obj, version, state = self._follow(ref, obj, version, judge, emit)
                attempt = 0
            except (Unreachable, ApiError) as error:
                if isinstance(error, ApiError) and error.status < 500 and error.status != 429:
                    raise
                self.sleep(min(self.session.retry.delay(attempt), max(self.left(), 0)))
                attempt += 1
        return state

    def _read(self, ref: Ref) -> tuple[dict[str, Any] | None, str]:
        listing = self.session.request(
            "GET", ref.api.path(ref.namespace), query={"fieldSelector": f"metadata.name={ref.name}"}
        )
        items = listing.get("items") or []
        return (items[0] if items else None), str(
            (listing.get("metadata") or {}).get("resourceVersion") or ""
        )

    def _follow(
        self,
        ref: Ref,
        obj: dict[str, Any] | None,
        version: str,
        judge: Judge,
        emit: Callable[[Readiness], None],
    ) -> tuple[dict[str, Any] | None, str | None, Readiness]:
        query = {
            "fieldSelector": f"metadata.name={ref.name}",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
        }
        state = judge(ref, obj)
        for event in self.session.watch(
            ref.api.path(ref.namespace), query, min(self.window, self.left())
        ):
            kind, data = event.get("type"), event.get("object") or {}
            if kind == "ERROR":
                if data.get("code") == 410:
                    return obj, None, state  # too old: read afresh
                raise ApiError(
                    int(data.get("code") or 500), str(data.get("reason")), str(data.get("message"))
                )
            version = str((data.get("metadata") or {}).get("resourceVersion") or version)
            if kind == "BOOKMARK":
                continue
            obj = None if kind == "DELETED" else data
            state = judge(ref, obj)
            emit(state)
            if state.ready or self.left() <= 0:
                break
        return obj, version, state


def wait_ready(
    session: Session,
    refs: list[Ref],
    *,
    timeout: float,
    progress: Progress,
    clock: Callable[[], float] = time.monotonic,
) -> list[Readiness]:
    """Wait for every ref in turn; raise `WaitTimeout` with a diagnosis when time runs out."""
    waiter = Waiter(session, clock() + timeout, clock=clock)
    states = {ref: Readiness(ref, False, "waiting") for ref in refs}

    def emit(state: Readiness) -> None:
        states[state.ref] = state
        progress(list(states.values()))

    for ref in refs:
        if not waiter.until_ready(ref, emit).ready:
            break
    final = list(states.values())
    if not all(s.ready for s in final):
        raise WaitTimeout(
            f"timed out after {format_seconds(timeout)} waiting for the release to be ready",
            *diagnose(session, final),
        )
    return final


def format_seconds(seconds: float) -> str:
    """`600` -> `10m`, `90` -> `1m30s`."""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest}s"
    return f"{minutes}m{rest}s" if rest else f"{minutes}m"


def diagnose(session: Session, states: list[Readiness]) -> list[str]:
    """What is not ready, its pods (phases, waiting reasons) and recent events."""
    lines = [f"not ready: {s.ref}: {s.detail}" for s in states if not s.ready]
    namespace = states[0].ref.namespace if states else ""
    names = {s.ref.name for s in states}
    try:
        pods = _pods(session, namespace, states)
        lines += [f"pod {p['metadata']['name']}: {pod_state(p)}" for p in pods]
        names |= {p["metadata"]["name"] for p in pods}
        lines += [f"event {e}" for e in recent_events(session, namespace, names)]
    except ClusterError as error:
        lines.append(f"(could not read pods and events: {error})")
    return lines


def _pods(session: Session, namespace: str, states: list[Readiness]) -> list[dict[str, Any]]:
    pods: list[dict[str, Any]] = []
    for state in states:
        label = _pod_selector(session, state.ref)
        if label:
            listing = session.request(
                "GET", KINDS["Pod"].path(namespace), query={"labelSelector": label}
            )
            pods += listing.get("items") or []
    return pods


def _pod_selector(session: Session, ref: Ref) -> str:
    if ref.kind == "RayCluster":
        return f"{RAY_CLUSTER_LABEL}={ref.name}"
    obj = session.get(ref.path()) or {}
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def pod_state(pod: dict[str, Any]) -> str:
    """`Pending: ray-head waiting: ImagePullBackOff (message)`, and unschedulable reasons."""
    status = pod.get("status") or {}
    parts = [str(status.get("phase") or "Unknown")]
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            parts.append(f"unschedulable: {condition.get('message') or condition.get('reason')}")
    statuses = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
    for container in statuses:
        for what in ("waiting", "terminated"):
            detail = (container.get("state") or {}).get(what)
            if detail and detail.get("reason") not in (None, "Completed"):
                message = f" ({detail['message']})" if detail.get("message") else ""
                parts.append(f"{container.get('name')} {what}: {detail['reason']}{message}")
    return "; ".join(parts)


def recent_events(session: Session, namespace: str, names: set[str]) -> list[str]:
    """The last events about the named objects, oldest first."""
    listing = session.request("GET", KINDS["Event"].path(namespace))
    events = [
        e
        for e in listing.get("items") or []
        if (e.get("involvedObject") or {}).get("name") in names
    ]
    events.sort(key=lambda e: str(e.get("lastTimestamp") or e.get("eventTime") or ""))
    return [_event_line(e) for e in events[-EVENTS_SHOWN:]]


def _event_line(event: dict[str, Any]) -> str:
    about = event.get("involvedObject") or {}
    return (
        f"{about.get('kind')} {about.get('name')}: {event.get('type', 'Normal')} "
        f"{event.get('reason', '')}: {event.get('message', '')}"
    )


def wait_established(
    session: Session,
    names: list[str],
    *,
    timeout: float,
    poll: float = 0.1,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll the CRDs until each reports Established; raise naming those that do not."""
    deadline = clock() + timeout
    pending = list(names)
    while True:
        pending = [
            n
            for n in pending
            if not established(session.get(KINDS["CustomResourceDefinition"].path(name=n)))
        ]
        if not pending:
            return
        if clock() >= deadline:
            raise ClusterError(
                *(
                    f"CustomResourceDefinition {n}: not Established after {format_seconds(timeout)}"
                    for n in pending
                )
            )
        sleep(poll)
