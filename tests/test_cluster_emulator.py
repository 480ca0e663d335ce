"""The emulator gives the API's own semantics for the calls the commands make."""

from __future__ import annotations

import threading

import pytest
from support.kube_emulator import Emulator

from syntho_ray.cluster.connect import ApiError, Session, connect, each

SA = "/api/v1/namespaces/syntho/serviceaccounts"
APPLY = "application/apply-patch+yaml"

pytestmark = pytest.mark.bare_emulator  # no CRD, no storage: each test sets up its own


@pytest.fixture
def session(emu: Emulator) -> Session:
    return connect(str(emu.kubeconfig))


def account(**labels: str) -> dict[str, object]:
    meta: dict[str, object] = {"name": "a", "namespace": "syntho", "labels": labels}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}


def apply(session: Session, body: object, manager: str = "m", **query: object) -> dict[str, object]:
    return session.request(
        "PATCH", f"{SA}/a", query={"fieldManager": manager, **query}, body=body, content_type=APPLY
    )


def test_apply_creates_then_a_same_apply_changes_nothing(session: Session) -> None:
    first = apply(session, account(x="1"))
    again = apply(session, account(x="1"))
    assert first["metadata"]["resourceVersion"] == again["metadata"]["resourceVersion"]  # type: ignore[index]
    managers = [e["manager"] for e in again["metadata"]["managedFields"]]  # type: ignore[index]
    assert managers == ["m"]


def test_a_field_left_out_of_the_next_apply_is_removed(session: Session) -> None:
    apply(session, account(x="1", y="2"))
    after = apply(session, account(x="1"))
    assert after["metadata"]["labels"] == {"x": "1"}  # type: ignore[index]


def test_another_manager_with_another_value_conflicts_unless_forced(session: Session) -> None:
    apply(session, account(x="1"), manager="helm")
    with pytest.raises(ApiError) as caught:
        apply(session, account(x="2"))
    assert caught.value.status == 409
    assert 'conflict with "helm"' in caught.value.message
    forced = apply(session, account(x="2"), force=True)
    assert forced["metadata"]["labels"] == {"x": "2"}  # type: ignore[index]


def test_missing_objects_namespaces_and_types_are_404s_with_the_api_details(
    session: Session, emu: Emulator
) -> None:
    assert session.get(f"{SA}/nobody") is None
    with pytest.raises(ApiError) as caught:
        session.request("GET", "/apis/ray.io/v1alpha1/namespaces/syntho/rayclusters/x")
    assert caught.value.status == 404 and not caught.value.details
    body = account()
    body["metadata"]["namespace"] = "elsewhere"  # type: ignore[index]
    with pytest.raises(ApiError) as missing_ns:
        session.request(
            "PATCH",
            "/api/v1/namespaces/elsewhere/serviceaccounts/a",
            query={"fieldManager": "m"},
            body=body,
            content_type=APPLY,
        )
    assert missing_ns.value.details["kind"] == "namespaces"


def test_lists_select_by_label_and_watches_resume_from_a_version(
    session: Session, emu: Emulator
) -> None:
    apply(session, account(app="ray"))
    listing = session.request("GET", SA, query={"labelSelector": "app=ray"})
    assert [i["metadata"]["name"] for i in listing["items"]] == ["a"]
    assert session.request("GET", SA, query={"labelSelector": "app=other"})["items"] == []
    version = listing["metadata"]["resourceVersion"]
    apply(session, account(app="ray", more="yes"))
    events = list(session.watch(SA, {"resourceVersion": version}, timeout=1))
    assert [e["type"] for e in events] == ["MODIFIED"]
    emu.compact()
    gone = list(session.watch(SA, {"resourceVersion": version}, timeout=1))
    assert gone[0]["type"] == "ERROR" and gone[0]["object"]["code"] == 410


def test_dry_run_changes_nothing_and_status_is_a_subresource(
    session: Session, emu: Emulator
) -> None:
    apply(session, account(), dryRun="All")
    assert emu.get("ServiceAccount", "syntho", "a") is None
    emu.serve_raycluster()
    body = {
        "apiVersion": "ray.io/v1alpha1",
        "kind": "RayCluster",
        "metadata": {"name": "c", "namespace": "syntho"},
        "spec": {"a": 1},
        "status": {"state": "x"},
    }
    path = "/apis/ray.io/v1alpha1/namespaces/syntho/rayclusters/c"
    made = session.request(
        "PATCH", path, query={"fieldManager": "m"}, body=body, content_type=APPLY
    )
    assert "status" not in made and made["metadata"]["generation"] == 1
    emu.set_status("RayCluster", "syntho", "c", {"state": "ready"})
    assert session.get(path)["status"] == {"state": "ready"}  # type: ignore[index]
    assert session.get(path)["metadata"]["generation"] == 1  # type: ignore[index]


def test_each_keeps_the_order_and_raises_the_first_error_once_all_ran() -> None:
    ran: list[int] = []

    def square(n: int) -> int:
        ran.append(n)
        if n % 3 == 0:
            raise ValueError(f"no {n}")
        return n * n

    assert each(square, [1, 2, 4, 5]) == [1, 4, 16, 25]
    ran.clear()
    with pytest.raises(ValueError, match="no 3"):
        each(square, range(1, 20))
    assert sorted(ran) == list(range(1, 20))
    # daemon threads: an interrupted command does not wait at exit for the requests under way
    assert each(lambda _: threading.current_thread().daemon, range(5)) == [True] * 5


def test_a_knowing_session_answers_from_its_reads_and_reads_the_rest(
    emu: Emulator, session: Session
) -> None:
    apply(session, account(x="1"))
    missing_type = "/apis/example.com/v1/namespaces/syntho/things/a"
    reader = session.knowing([f"{SA}/a", f"{SA}/b", missing_type])
    before = len(emu.requests("GET"))
    assert reader.get(f"{SA}/a")["metadata"]["labels"] == {"x": "1"}  # type: ignore[index]
    assert reader.get(f"{SA}/b") is None
    with pytest.raises(ApiError) as raised:
        reader.get(missing_type)
    assert raised.value.status == 404
    assert len(emu.requests("GET")) == before
    assert reader.get("/api/v1/namespaces/syntho") is not None
    assert len(emu.requests("GET")) == before + 1
