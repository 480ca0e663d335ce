"""What the emulator (tests/support/kube_emulator.py) claims of the API server, checked on a
real one.

Each behaviour the emulator-based tests rely on is asserted once here; the emulator stays for
the faults a real server does not produce on demand (503 storms, dropped connections).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from controlplane import ControlPlane
from kubeapi import MERGE, Api, ApiError
from operator_process import service_account_token


@pytest.fixture(scope="module")
def api(control_plane: ControlPlane) -> Api:
    return control_plane.api


@pytest.fixture
def ns(api: Api) -> Iterator[str]:
    name = f"api-{uuid.uuid4().hex[:8]}"
    api.request("POST", "/api/v1/namespaces", {"metadata": {"name": name}})
    yield name
    api.request("DELETE", f"/api/v1/namespaces/{name}")


CONTAINER = {"name": "c", "image": "example/operator:1"}


def configmap(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def deployment(name: str, container: str, selector: dict[str, str]) -> dict[str, Any]:
    pod = {
        "metadata": {"labels": selector},
        "spec": {"containers": [{"name": container, "image": "example/operator:1"}]},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"selector": {"matchLabels": selector}, "template": pod},
    }


def raises(status: int, call: Any, *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    assert caught.value.status == status, caught.value
    return caught.value


def managers(obj: dict[str, Any]) -> dict[str, str]:
    return {m["manager"]: m["operation"] for m in obj["metadata"].get("managedFields", [])}


def test_apply_conflict_then_force_conflicts_takes_the_field(api: Api, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps/settings"
    api.apply(path, configmap("settings", size="1"), "first")
    error = raises(409, api.apply, path, configmap("settings", size="2"), "second")
    assert error.reason == "Conflict"
    causes = error.body["details"]["causes"]
    assert causes[0]["reason"] == "FieldManagerConflict" and "first" in causes[0]["message"]
    taken = api.apply(path, configmap("settings", size="2"), "second", force="true")
    assert taken["data"] == {"size": "2"}
    assert managers(taken) == {"second": "Apply"}


def test_the_same_apply_again_changes_nothing(api: Api, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps/same"
    first = api.apply(path, configmap("same", a="1"), "syntho-ray")
    again = api.apply(path, configmap("same", a="1"), "syntho-ray")
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_a_field_left_out_of_the_next_apply_is_removed(api: Api, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps/shrink"
    api.apply(path, configmap("shrink", a="1", b="2"), "syntho-ray")
    assert api.apply(path, configmap("shrink", a="1"), "syntho-ray")["data"] == {"a": "1"}


def test_dry_run_changes_nothing(api: Api, ns: str) -> None:
    collection = f"/api/v1/namespaces/{ns}/configmaps"
    shown = api.request("POST", collection, configmap("dry"), query={"dryRun": "All"})
    assert shown["metadata"]["name"] == "dry"
    assert api.get(f"{collection}/dry") is None
    live = api.apply(f"{collection}/kept", configmap("kept", a="1"), "syntho-ray")
    preview = api.apply(f"{collection}/kept", configmap("kept", a="2"), "syntho-ray", dryRun="All")
    assert preview["data"] == {"a": "2"}
    after = api.request("GET", f"{collection}/kept")
    assert after["data"] == {"a": "1"}
    assert after["metadata"]["resourceVersion"] == live["metadata"]["resourceVersion"]


def test_a_deployment_selector_is_immutable(api: Api, ns: str) -> None:
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/op"
    api.apply(path, deployment("op", "op", {"app": "a"}), "syntho-ray")
    error = raises(422, api.apply, path, deployment("op", "op", {"app": "b"}), "syntho-ray")
    assert error.reason == "Invalid" and "field is immutable" in str(error)


def test_apply_merges_containers_by_name(api: Api, ns: str) -> None:
    """Another manager's container stays beside ours: what a Helm take-over must avoid."""
    collection = f"/apis/apps/v1/namespaces/{ns}/deployments"
    selector = {"app": "op"}
    api.request(
        "POST", collection, deployment("op", "helms", selector), query={"fieldManager": "helm"}
    )
    merged = api.apply(
        f"{collection}/op", deployment("op", "ours", selector), "syntho-ray", force="true"
    )
    names = [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]]
    assert sorted(names) == ["helms", "ours"]


def test_create_of_an_existing_object_and_a_stale_update_are_409(api: Api, ns: str) -> None:
    collection = f"/api/v1/namespaces/{ns}/configmaps"
    live = api.request("POST", collection, configmap("once", a="1"))
    assert raises(409, api.request, "POST", collection, configmap("once")).reason == (
        "AlreadyExists"
    )
    api.request("PATCH", f"{collection}/once", {"data": {"a": "2"}}, content_type=MERGE)
    stale = copy.deepcopy(live)
    assert raises(409, api.request, "PUT", f"{collection}/once", stale).reason == "Conflict"


def test_a_namespace_must_exist(api: Api) -> None:
    error = raises(
        404, api.request, "POST", "/api/v1/namespaces/nowhere-e2e/configmaps", configmap("x")
    )
    assert error.reason == "NotFound"


def test_merge_patch_of_a_missing_object_is_404(api: Api, ns: str) -> None:
    path = f"/api/v1/namespaces/{ns}/configmaps/missing"
    raises(404, api.request, "PATCH", path, {"data": {}}, content_type=MERGE)


def test_watch_resumes_from_a_resource_version(api: Api, ns: str) -> None:
    collection = f"/api/v1/namespaces/{ns}/configmaps"
    start = api.request("POST", collection, configmap("w", n="0"))["metadata"]["resourceVersion"]
    for n in ("1", "2"):
        api.request("PATCH", f"{collection}/w", {"data": {"n": n}}, content_type=MERGE)
    seen = []
    for event in api.watch(collection, {"resourceVersion": start}, timeout=30):
        seen.append((event["type"], event["object"]["data"]["n"]))
        resume = event["object"]["metadata"]["resourceVersion"]
        if len(seen) == 1:
            break
    assert seen == [("MODIFIED", "1")]
    # Each watch stops at its first event: the server's 30 s is a bound for a slow watch
    # cache, not a wait (a 2 s window once closed before a busy cache sent anything).
    rest = []
    for event in api.watch(collection, {"resourceVersion": resume}, timeout=30):
        rest.append((event["type"], event["object"]["data"]["n"]))
        break
    assert rest == [("MODIFIED", "2")]


def test_a_watch_from_a_compacted_version_gets_410_gone(
    control_plane: ControlPlane, api: Api, ns: str
) -> None:
    """PodTemplates are watched from etcd itself (no watch cache, see controlplane.py): once
    etcd's history is compacted past a version, as after a long disconnection, a watch from it
    gets 410. The compaction is done by the test, not waited for."""
    collection = f"/api/v1/namespaces/{ns}/podtemplates"
    template = {"metadata": {"name": "t"}, "template": {"spec": {"containers": [CONTAINER]}}}
    start = api.request("POST", collection, template)["metadata"]["resourceVersion"]
    changed = [
        api.request(
            "PATCH", f"{collection}/t", {"metadata": {"labels": {"n": n}}}, content_type=MERGE
        )
        for n in ("1", "2")
    ]
    resumed = [e["type"] for e in api.watch(collection, {"resourceVersion": start}, timeout=1)]
    assert resumed == ["MODIFIED", "MODIFIED"]
    # Past the first change too: compacted exactly at the first event a watch from `start`
    # sends, the server answers 500 (that event's previous state is gone: PrevKv=nil).
    assert control_plane.compact_etcd() > int(changed[0]["metadata"]["resourceVersion"])
    events = list(api.watch(collection, {"resourceVersion": start}, timeout=1))
    answers = [(e["type"], e["object"].get("code"), e["object"].get("reason")) for e in events]
    assert answers == [("ERROR", 410, "Expired")]


def test_generation_counts_spec_changes_only(api: Api, ns: str) -> None:
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/gen"
    created = api.apply(path, deployment("gen", "c", {"app": "gen"}), "syntho-ray")
    labelled = api.request("PATCH", path, {"metadata": {"labels": {"x": "y"}}}, content_type=MERGE)
    assert labelled["metadata"]["generation"] == created["metadata"]["generation"]
    changed = api.request("PATCH", path, {"spec": {"replicas": 3}}, content_type=MERGE)
    assert changed["metadata"]["generation"] == created["metadata"]["generation"] + 1


def test_label_and_field_selectors(api: Api, ns: str) -> None:
    collection = f"/api/v1/namespaces/{ns}/configmaps"
    mine = configmap("mine") | {"metadata": {"name": "mine", "labels": {"release": "r1"}}}
    api.request("POST", collection, mine)
    api.request("POST", collection, configmap("other"))
    by_label = api.request("GET", collection, query={"labelSelector": "release=r1"})
    assert [i["metadata"]["name"] for i in by_label["items"]] == ["mine"]
    by_field = api.request("GET", collection, query={"fieldSelector": "metadata.name=other"})
    assert [i["metadata"]["name"] for i in by_field["items"]] == ["other"]


def raycluster(api_version: str) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": "RayCluster",
        "metadata": {"name": "rc"},
        "spec": {
            "headGroupSpec": {
                "rayStartParams": {},
                "template": {
                    "spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.9.0"}]}
                },
            }
        },
        "status": {"state": "ready"},
    }


def test_one_raycluster_under_both_served_versions_and_status_is_a_subresource(
    control_plane: ControlPlane, api: Api, ns: str
) -> None:
    control_plane.use_crds("1.2.2")  # serves ray.io/v1 and ray.io/v1alpha1
    old = api.apply(
        f"/apis/ray.io/v1alpha1/namespaces/{ns}/rayclusters/rc",
        raycluster("ray.io/v1alpha1"),
        "syntho-ray",
    )
    assert "state" not in (old.get("status") or {})  # status goes through /status only
    new = api.request("GET", f"/apis/ray.io/v1/namespaces/{ns}/rayclusters/rc")
    assert new["apiVersion"] == "ray.io/v1"
    assert new["metadata"]["uid"] == old["metadata"]["uid"]


def test_rbac_is_enforced_on_service_account_tokens(api: Api, ns: str) -> None:
    api.request("POST", f"/api/v1/namespaces/{ns}/serviceaccounts", {"metadata": {"name": "sa"}})
    token = service_account_token(api, ns, "sa")
    restricted = Api(api.port, api.ca, token=token)
    error = raises(403, restricted.request, "GET", f"/api/v1/namespaces/{ns}/pods")
    assert error.reason == "Forbidden" and f"system:serviceaccount:{ns}:sa" in str(error)


def test_pod_security_admission_is_on(api: Api) -> None:
    name = f"restricted-{uuid.uuid4().hex[:6]}"
    labels = {"pod-security.kubernetes.io/enforce": "restricted"}
    api.request("POST", "/api/v1/namespaces", {"metadata": {"name": name, "labels": labels}})
    try:
        pod = {
            "metadata": {"name": "p"},
            "spec": {
                "containers": [{"name": "c", "image": "x", "securityContext": {"privileged": True}}]
            },
        }
        error = raises(403, api.request, "POST", f"/api/v1/namespaces/{name}/pods", pod)
        assert "violates PodSecurity" in str(error)
    finally:
        api.request("DELETE", f"/api/v1/namespaces/{name}")
