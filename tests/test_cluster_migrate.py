"""`syntho-ray migrate --from-helm-release`: values from Helm's record, the plan, the take-over.

Helm's release is made as Helm makes it: the chart's reference objects (`helm template`
output) written by field manager `helm` (Update), with Helm's release annotations, and the
release records. The emulator models server-side apply per manager, the JSON patch that moves
managed fields, and the immutable Deployment selector; the real API server runs the same flow
in tests/e2e.
"""

from __future__ import annotations

import copy
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cluster_setup import LICENSE, run
from support.kube_emulator import Emulator

from syntho_ray.cluster.helm_migrate import decode_release, encode_release
from syntho_ray.cluster.ownership import union, upgraded

REFERENCE = {
    "ray-cluster-1.13.0": Path("../shared/reference/rendered/01-default.yaml"),
    "ray-1.14.0": Path("../shared/reference/chart-1.14/rendered/01-default.yaml"),
}
USER_VALUES = {"SynthoLicense": LICENSE, "worker": {"disabled": False, "replicas": 2}}
LEGACY = {
    "apiVersion": "v1",
    "kind": "ServiceAccount",
    "metadata": {"name": "legacy", "namespace": "syntho"},
}
HELM_ANNOTATIONS = {
    "meta.helm.sh/release-name": "ray-cluster",
    "meta.helm.sh/release-namespace": "syntho",
}
SIDECAR = {"name": "helm-only", "image": "busybox:1.28", "args": ["sleep", "infinity"]}


def chart_objects(chart: str = "ray-cluster-1.13.0") -> list[dict[str, Any]]:
    """The 1.13 chart's own output, as Helm installs it in namespace syntho."""
    objects = [d for d in yaml.safe_load_all(REFERENCE[chart].read_text(encoding="utf-8")) if d]
    for obj in objects:
        meta = obj["metadata"]
        meta["namespace"] = "syntho"
        meta["annotations"] = (meta.get("annotations") or {}) | HELM_ANNOTATIONS
    return objects


def record(revision: int, values: dict[str, Any], manifest: str, chart: str) -> dict[str, Any]:
    name, version = chart.rsplit("-", 1)
    release = {
        "name": "ray-cluster",
        "namespace": "syntho",
        "version": revision,
        "info": {"status": "deployed" if revision == 2 else "superseded"},
        "chart": {"metadata": {"name": name, "version": version, "appVersion": "1.0"}},
        "config": values,
        "manifest": manifest,
    }
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": {
            "name": f"sh.helm.release.v1.ray-cluster.v{revision}",
            "namespace": "syntho",
            "labels": {"owner": "helm", "name": "ray-cluster", "version": str(revision)},
        },
        "data": {"release": encode_release(release)},
    }


Change = Callable[[list[dict[str, Any]]], None]


def install(
    emu: Emulator,
    change: Change | None = None,
    chart: str = "ray-cluster-1.13.0",
    values: dict[str, Any] | None = None,
    reference: str = "ray-cluster-1.13.0",
) -> None:
    """Helm's release: the `reference` chart's objects (after `change`), a legacy object, two
    revisions naming `chart`."""
    objects = chart_objects(reference)
    if change:
        change(objects)
    installed = [*objects, LEGACY]
    for obj in installed:
        emu.put(obj, manager="helm")
    manifest = yaml.safe_dump_all(installed)
    emu.put(record(1, {"SynthoLicense": "old"}, manifest, chart), manager="helm")
    emu.put(record(2, values or USER_VALUES, manifest, chart), manager="helm")


def the(objects: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(o for o in objects if o["kind"] == kind)


def with_sidecars(objects: list[dict[str, Any]]) -> None:
    """A container and an init container only Helm's chart has."""
    pod = the(objects, "Deployment")["spec"]["template"]["spec"]
    pod["containers"].append(copy.deepcopy(SIDECAR))
    head = the(objects, "RayCluster")["spec"]["headGroupSpec"]["template"]["spec"]
    head.setdefault("initContainers", []).append(copy.deepcopy(SIDECAR))


def with_other_selector(objects: list[dict[str, Any]]) -> None:
    """A chart whose operator Deployment selects on other labels than syntho-ray's."""
    deployment = the(objects, "Deployment")
    labels = {"app.kubernetes.io/name": "kuberay-operator"}
    deployment["spec"]["selector"]["matchLabels"] = labels
    deployment["spec"]["template"]["metadata"]["labels"] = labels


@pytest.fixture
def emu(emu: Emulator) -> Emulator:
    """The shared emulator, and immutable fields enforced."""
    emu.kube.immutable = True
    return emu


def migrate(emu: Emulator, tmp_path: Path, *args: str) -> Any:
    out = tmp_path / "from-helm.yaml"
    return run(emu, "migrate", "--from-helm-release", "ray-cluster", "-o", str(out), *args)


def helm_left(emu: Emulator, kind: str, namespace: str, name: str) -> list[str]:
    """What Helm still has on an object: its field manager, labels, annotations."""
    obj = emu.get(kind, namespace, name)
    assert obj is not None, f"{kind} {name} is gone"
    meta = obj["metadata"]
    found = [m["manager"] for m in meta["managedFields"] if m["manager"] == "helm"]
    found += [k for k in meta.get("annotations") or {} if k.startswith("meta.helm.sh/")]
    labels = meta.get("labels") or {}
    found += [k for k in labels if k == "helm.sh/chart" or labels[k] == "Helm"]
    return found


def test_the_release_record_round_trips() -> None:
    assert decode_release(encode_release({"config": {"a": 1}})) == {"config": {"a": 1}}


def test_helms_update_entry_becomes_syntho_rays_apply_entry() -> None:
    helm = {"manager": "helm", "operation": "Update", "apiVersion": "v1",
            "fieldsV1": {"f:spec": {"f:a": {}}}}  # fmt: skip
    status = {"manager": "helm", "operation": "Update", "subresource": "status", "fieldsV1": {}}
    assert upgraded([helm, status], {"helm"}, "syntho-ray") == [
        {"manager": "syntho-ray", "operation": "Apply", "apiVersion": "v1",
         "fieldsV1": {"f:spec": {"f:a": {}}}},
        status,
    ]  # fmt: skip
    ours = {"manager": "syntho-ray", "operation": "Apply", "apiVersion": "v1",
            "fieldsV1": {"f:spec": {"f:b": {}}}}  # fmt: skip
    merged = upgraded([ours, helm], {"helm"}, "syntho-ray")
    assert merged == [ours | {"fieldsV1": {"f:spec": {"f:b": {}, "f:a": {}}}}]
    assert upgraded([ours], {"helm"}, "syntho-ray") is None


def test_field_sets_unite_as_tries() -> None:
    first = {"f:spec": {'k:{"name":"a"}': {".": {}, "f:image": {}}}}
    second = {"f:spec": {'k:{"name":"a"}': {"f:args": {}}, "f:replicas": {}}}
    assert union(first, second) == {
        "f:spec": {'k:{"name":"a"}': {".": {}, "f:image": {}, "f:args": {}}, "f:replicas": {}}
    }


def test_dry_run_writes_the_values_and_prints_the_plan(emu: Emulator, tmp_path: Path) -> None:
    install(emu)
    result = migrate(emu, tmp_path, "--dry-run")
    assert result.exit_code == 0, result.output
    out = tmp_path / "from-helm.yaml"
    assert yaml.safe_load(out.read_text()) == USER_VALUES  # the latest revision's values
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    err = result.stderr
    for line in (
        "adopt: Deployment syntho/kuberay-operator",
        "adopt: RayCluster syntho/ray-cluster",
        "create: Secret syntho/ray-secret",
        "remove: ServiceAccount syntho/legacy (Helm rendered it, syntho-ray does not)",
        "remove Helm record: Secret syntho/sh.helm.release.v1.ray-cluster.v1",
        "remove Helm record: Secret syntho/sh.helm.release.v1.ray-cluster.v2",
        "dry run: nothing changed",
    ):
        assert line in err
    assert emu.requests("PATCH") == [] and emu.requests("DELETE") == []


def test_apply_leaves_nothing_helm_owns_and_diff_is_clean(emu: Emulator, tmp_path: Path) -> None:
    install(emu, with_sidecars)
    before = emu.get("Deployment", "syntho", "kuberay-operator")
    assert before is not None
    result = migrate(emu, tmp_path, "--apply")
    assert result.exit_code == 0, result.output
    assert "Deployment syntho/kuberay-operator: adopted" in result.stdout
    assert "Secret syntho/sh.helm.release.v1.ray-cluster.v1: deleted" in result.stdout
    assert [n for n in emu.names("Secret", "syntho") if n.startswith("sh.helm")] == []
    assert emu.get("ServiceAccount", "syntho", "legacy") is None
    after = emu.get("Deployment", "syntho", "kuberay-operator")
    assert after is not None and after["metadata"]["uid"] == before["metadata"]["uid"]
    pod = after["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["ray-cluster"]  # Helm's sidecar is gone
    assert "args" not in pod["containers"][0]  # the chart's `args: []`, only Helm's
    cluster = emu.get("RayCluster", "syntho", "ray-cluster")
    assert cluster is not None
    inits = cluster["spec"]["headGroupSpec"]["template"]["spec"]["initContainers"]
    assert "helm-only" not in [c["name"] for c in inits]
    for kind, name in (("Deployment", "kuberay-operator"), ("RayCluster", "ray-cluster"),
                       ("Role", "kuberay-operator"), ("Service", "kuberay-operator")):  # fmt: skip
        assert helm_left(emu, kind, "syntho", name) == []
    values = str(tmp_path / "from-helm.yaml")
    assert run(emu, "diff", "-f", values).exit_code == 0
    converged = run(emu, "apply", "-f", values)
    assert converged.exit_code == 0, converged.output
    assert " 0 configured" in converged.stderr


def test_a_changed_selector_is_replaced_not_left_half_applied(
    emu: Emulator, tmp_path: Path
) -> None:
    install(emu, with_other_selector)
    before = emu.get("Deployment", "syntho", "kuberay-operator")
    assert before is not None
    plan = migrate(emu, tmp_path, "--dry-run")
    assert (
        "replace: Deployment syntho/kuberay-operator (spec.selector cannot change in place)"
        in plan.stderr
    )
    result = migrate(emu, tmp_path, "--apply")
    assert result.exit_code == 0, result.output
    assert "Deployment syntho/kuberay-operator: replaced" in result.stdout
    after = emu.get("Deployment", "syntho", "kuberay-operator")
    assert after is not None and after["metadata"]["uid"] != before["metadata"]["uid"]
    assert after["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "kuberay"
    assert helm_left(emu, "Deployment", "syntho", "kuberay-operator") == []
    assert run(emu, "diff", "-f", str(tmp_path / "from-helm.yaml")).exit_code == 0


def test_values_and_set_go_on_top_of_the_release(emu: Emulator, tmp_path: Path) -> None:
    install(emu)
    extra = tmp_path / "extra.yaml"
    extra.write_text("worker:\n  replicas: 3\n  maxReplicas: 5\n")
    result = migrate(emu, tmp_path, "-f", str(extra), "--set", "worker.replicas=4", "--apply")
    assert result.exit_code == 0, result.output
    written = tmp_path / "from-helm.yaml"
    assert yaml.safe_load(written.read_text())["worker"] == {
        "disabled": False, "replicas": 4, "maxReplicas": 5}  # fmt: skip
    assert f"then -f {extra} and 1 --set argument" in result.stderr
    cluster = emu.get("RayCluster", "syntho", "ray-cluster")
    assert cluster is not None
    assert [g["replicas"] for g in cluster["spec"]["workerGroupSpecs"]] == [4]
    assert run(emu, "diff", "-f", str(written)).exit_code == 0


def test_another_releases_object_stops_it_before_any_change(emu: Emulator, tmp_path: Path) -> None:
    def other(objects: list[dict[str, Any]]) -> None:
        the(objects, "Service")["metadata"]["annotations"]["meta.helm.sh/release-name"] = "other"

    install(emu, other)
    result = migrate(emu, tmp_path, "--apply")
    assert result.exit_code == 1
    assert (
        "Service syntho/kuberay-operator: belongs to Helm release syntho/other, not to Helm "
        "release syntho/ray-cluster; nothing was changed" in result.stderr
    )
    assert emu.requests("PATCH") == [] and emu.requests("DELETE") == []


@pytest.mark.parametrize(
    ("chart", "message"),
    [
        ("ray-1.14.0", "a key of chart 1.13's layout, but the values are read as chart 1.14"),
        ("superset-2.0.0", "is of chart superset-2.0.0, not one syntho-ray renders"),
    ],
)
def test_the_chart_in_the_record_chooses_the_generation(
    emu: Emulator, tmp_path: Path, chart: str, message: str
) -> None:
    install(emu, chart=chart)
    result = migrate(emu, tmp_path)
    assert result.exit_code == 1
    assert message in result.stderr
    forced = migrate(emu, tmp_path, "--chart", "1.13")
    assert forced.exit_code == 0, forced.output


def test_a_114_release_is_rendered_with_the_114_chart(emu: Emulator, tmp_path: Path) -> None:
    emu.serve_raycluster("v1", "v1alpha1")  # KubeRay 1.2.2's CRD
    values = {"SynthoLicense": LICENSE}
    install(emu, with_sidecars, chart="ray-1.14.0", values=values, reference="ray-1.14.0")
    result = migrate(emu, tmp_path, "--apply")
    assert result.exit_code == 0, result.output
    assert "Deployment syntho/kuberay-operator: adopted" in result.stdout
    assert "syntho-ray apply --chart 1.14 -f" in result.stderr
    deployment = emu.get("Deployment", "syntho", "kuberay-operator")
    assert deployment is not None
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["kuberay-operator"]
    assert helm_left(emu, "Deployment", "syntho", "kuberay-operator") == []
    assert helm_left(emu, "RayCluster", "syntho", "ray-cluster") == []
    written = tmp_path / "from-helm.yaml"
    assert yaml.safe_load(written.read_text()) == {"SynthoLicense": LICENSE, "ray-cluster": {}}
    assert run(emu, "diff", "-f", str(written)).exit_code == 0  # the file says 1.14 itself


def test_a_take_over_that_stops_says_what_is_left_and_carries_on(
    emu: Emulator, tmp_path: Path
) -> None:
    install(emu)
    emu.fail(403, method="DELETE", path="serviceaccounts/legacy")
    stopped = migrate(emu, tmp_path, "--apply")
    assert stopped.exit_code == 1
    assert (
        "the take-over stopped at ServiceAccount syntho/legacy; not done yet: ServiceAccount "
        "syntho/legacy, and the removal of Helm's records (Helm still knows the release)"
    ) in stopped.stderr
    assert "Deployment syntho/kuberay-operator: adopted" in stopped.stdout
    assert len([n for n in emu.names("Secret", "syntho") if n.startswith("sh.helm")]) == 2
    again = migrate(emu, tmp_path, "--apply")
    assert again.exit_code == 0, again.output
    assert "Deployment syntho/kuberay-operator: updated" in again.stdout
    assert "ServiceAccount syntho/legacy: removed" in again.stdout
    assert [n for n in emu.names("Secret", "syntho") if n.startswith("sh.helm")] == []
    assert run(emu, "diff", "-f", str(tmp_path / "from-helm.yaml")).exit_code == 0


def test_the_latest_deployed_revision_is_the_one_taken_over(emu: Emulator, tmp_path: Path) -> None:
    install(emu)  # revision 2 deployed (in its release), revision 1 superseded
    values = {"SynthoLicense": LICENSE, "worker": {"replicas": 9}}
    failed = record(3, values, "", "ray-cluster-1.13.0")
    failed["metadata"]["labels"]["status"] = "failed"
    emu.put(failed, manager="helm")
    result = migrate(emu, tmp_path)
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((tmp_path / "from-helm.yaml").read_text()) == USER_VALUES  # revision 2
    assert "remove Helm record: Secret syntho/sh.helm.release.v1.ray-cluster.v3" in result.stderr
    pending = record(2, USER_VALUES, "", "ray-cluster-1.13.0")
    pending["metadata"]["labels"]["status"] = "pending-upgrade"
    emu.put(pending, manager="helm")
    stuck = migrate(emu, tmp_path)
    assert stuck.exit_code == 1
    assert (
        "Helm release ray-cluster has no deployed revision (the latest, 3, is failed)"
        in stuck.stderr
    )


def test_apply_and_dry_run_exclude_each_other(emu: Emulator, tmp_path: Path) -> None:
    install(emu)
    assert migrate(emu, tmp_path, "--apply", "--dry-run").exit_code == 2


def test_a_missing_release_says_where_it_looked(emu: Emulator, tmp_path: Path) -> None:
    result = run(emu, "migrate", "--from-helm-release", "nope", "-o", str(tmp_path / "x.yaml"))
    assert result.exit_code == 1
    assert (
        "no Helm release nope in namespace syntho: no Secret sh.helm.release.v1.nope.v<N>"
        in result.stderr
    )
