"""`syntho-ray apply` and `check`: preflight, server-side apply, re-apply, prune, dry runs, CRDs."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cluster_setup import ready_for_release, run, values_file
from support.kube_emulator import Emulator
from typer.testing import Result

RELEASE_KINDS = {
    "ServiceAccount": ["kuberay-operator"],
    "Secret": ["ray-secret", "syntho-cr-secret"],
    "PersistentVolumeClaim": ["ray-data-claim", "ray-workflows-claim"],
    "Role": ["kuberay-operator", "rayjob-editor-role", "rayjob-viewer-role"],
    "RoleBinding": ["kuberay-operator"],
    "Service": ["kuberay-operator"],
    "Deployment": ["kuberay-operator"],
    "RayCluster": ["ray-cluster"],
}
MINIMAL_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: rayclusters.ray.io
spec:
  group: ray.io
  names: {kind: RayCluster, listKind: RayClusterList, plural: rayclusters, singular: raycluster}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources: {status: {}}
status: {conditions: [], storedVersions: []}
"""

pytestmark = pytest.mark.bare_emulator  # no CRD, no storage: each test sets up its own


@pytest.fixture
def values(tmp_path: Path) -> Path:
    return values_file(tmp_path)


def versions(emu: Emulator) -> dict[str, str]:
    out = {}
    for kind in RELEASE_KINDS:
        for name in emu.names(kind, "syntho"):
            obj = emu.get(kind, "syntho", name)
            assert obj is not None
            out[f"{kind}/{name}"] = obj["metadata"]["resourceVersion"]
    return out


def first_apply(emu: Emulator, values: Path) -> Result:
    """`apply -f values` on an emulator ready for the release; it must succeed."""
    ready_for_release(emu)
    result = run(emu, "apply", "-f", str(values))
    assert result.exit_code == 0, result.output
    return result


def test_apply_creates_every_object_in_apply_order_as_syntho_ray(
    emu: Emulator, values: Path
) -> None:
    result = first_apply(emu, values)
    assert {k: emu.names(k, "syntho") for k in RELEASE_KINDS} == RELEASE_KINDS
    patches = [r.url.path for r in emu.requests("PATCH")]
    kinds = [p.split("/")[-2] for p in patches]
    assert kinds.index("serviceaccounts") < kinds.index("deployments") < kinds.index("rayclusters")
    deployment = emu.get("Deployment", "syntho", "kuberay-operator")
    assert deployment is not None
    assert [m["manager"] for m in deployment["metadata"]["managedFields"]] == ["syntho-ray"]
    assert "Deployment syntho/kuberay-operator: created" in result.stdout
    assert "ray_address" in result.stderr


def test_kinds_are_applied_one_after_another_and_each_object_is_read_once(
    emu: Emulator, values: Path
) -> None:
    result = first_apply(emu, values)
    ranks = [k.lower() + "s" for k in RELEASE_KINDS]  # apply order, as plurals
    patched = [r.url.path.split("/")[-2] for r in emu.requests("PATCH")]
    assert patched == sorted(patched, key=ranks.index)  # objects of one kind at once, not before
    shown = [line.split()[0] for line in result.stdout.splitlines() if line.endswith(": created")]
    assert shown == sorted(shown, key=list(RELEASE_KINDS).index)
    for kind, names in RELEASE_KINDS.items():
        for name in names:
            path = f"/{kind.lower()}s/{name}$"
            assert len(emu.requests("GET", path)) == 1, path  # ownership and apply share it


def test_reapply_changes_nothing(emu: Emulator, values: Path) -> None:
    ready_for_release(emu)
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    before = versions(emu)
    again = run(emu, "apply", "-f", str(values))
    assert again.exit_code == 0, again.output
    assert versions(emu) == before
    assert "0 created, 0 configured, 11 unchanged, 0 pruned" in again.stderr


def test_prune_deletes_what_the_render_dropped_but_keeps_claims_and_license(
    emu: Emulator, values: Path, tmp_path: Path
) -> None:
    ready_for_release(emu)
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    emu.put(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mine", "namespace": "syntho"}}
    )
    emu.put(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "data": {"license_key": "eA=="},
            "metadata": {"name": "own-license", "namespace": "syntho"},
        }
    )
    changed = values_file(tmp_path, "rbacEnable: false\nmanualSecretName: own-license\n", "b.yaml")
    result = run(emu, "apply", "-f", str(changed))
    assert result.exit_code == 0, result.output
    assert emu.names("Role", "syntho") == [] and emu.names("RoleBinding", "syntho") == []
    assert "Role syntho/rayjob-editor-role: pruned" in result.stdout
    assert emu.names("Secret", "syntho") == [
        "mine",
        "own-license",
        "ray-secret",
        "syntho-cr-secret",
    ]
    assert emu.names("PersistentVolumeClaim", "syntho") == ["ray-data-claim", "ray-workflows-claim"]


def test_prune_leaves_other_releases_and_other_managers_alone(emu: Emulator, values: Path) -> None:
    ready_for_release(emu)
    assert run(emu, "apply", "-f", str(values), "--release", "other").exit_code == 0
    foreign = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": "by-kubectl",
            "namespace": "syntho",
            "labels": {
                "app.kubernetes.io/managed-by": "syntho-ray",
                "app.kubernetes.io/instance": "ray-cluster",
            },
        },
    }
    emu.put(foreign, manager="kubectl-client-side-apply")
    # the same names as release `other`: taken only when asked (issue 13)
    result = run(emu, "apply", "-f", str(values), "--set", "clustername=second", "--take-ownership")
    assert result.exit_code == 0, result.output
    assert "pruned" not in result.stdout
    assert "by-kubectl" in emu.names("ServiceAccount", "syntho")


def test_dry_runs_show_what_would_change_and_change_nothing(emu: Emulator, values: Path) -> None:
    ready_for_release(emu)
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    before = versions(emu)
    for mode in ("client", "server"):
        result = run(
            emu,
            "apply",
            "-f",
            str(values),
            "--set",
            "worker.disabled=false",
            "--set",
            "rbacEnable=false",
            f"--dry-run={mode}",
        )
        assert result.exit_code == 0, result.output
        assert "RayCluster syntho/ray-cluster: configured (dry run)" in result.stdout
        assert "Role syntho/kuberay-operator: pruned (dry run)" in result.stdout
        assert "Deployment syntho/kuberay-operator: unchanged (dry run)" in result.stdout
        assert versions(emu) == before


def test_create_namespace_and_dry_run_into_a_new_namespace(emu: Emulator, values: Path) -> None:
    ready_for_release(emu)
    args = ["apply", "-f", str(values), "-n", "fresh", "--skip-preflight"]
    dry = run(emu, *args, "--create-namespace", "--dry-run=server")
    assert dry.exit_code == 0, dry.output
    assert "Namespace fresh: created (dry run)" in dry.stdout
    assert emu.get("Namespace", "", "fresh") is None
    refused = run(emu, *args)
    assert refused.exit_code == 1
    assert "namespace fresh does not exist; create it or pass --create-namespace" in refused.stderr
    made = run(emu, *args, "--create-namespace")
    assert made.exit_code == 0, made.output
    assert emu.names("Deployment", "fresh") == ["kuberay-operator"]


def test_preflight_reports_every_problem_at_once(emu: Emulator, values: Path) -> None:
    result = run(emu, "check", "-f", str(values), "--set", "manualSecretName=gone")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4, result.stderr
    text = result.stderr
    assert "RayCluster CRD (rayclusters.ray.io, ray.io/v1alpha1) is not installed" in text
    assert "syntho-ray apply --crds DIR" in text
    assert "StorageClass default (storage.storageClassName" in text
    assert "Secret syntho-cr-secret (imagePullSecrets) does not exist in namespace syntho" in text
    assert "Secret gone (manualSecretName) does not exist" in text
    assert run(emu, "apply", "-f", str(values)).exit_code == 1
    assert emu.requests("PATCH") == []  # nothing changed


def test_preflight_checks_labelled_volumes_for_a_storage_selector(
    emu: Emulator, tmp_path: Path
) -> None:
    ready_for_release(emu)
    values = values_file(
        tmp_path, 'storage: {storageClassName: "", pvLabelKey: wf, dataPvLabelKey: data}\n'
    )

    def volume(name: str, label: str, mode: str) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {"name": name, "labels": {"pv-label-key": label}},
            "spec": {"accessModes": [mode], "capacity": {"storage": "100Gi"}},
        }

    emu.put(volume("pv-wf", "wf", "ReadWriteOnce"))
    result = run(emu, "check", "-f", str(values))
    assert result.exit_code == 1
    assert (
        "labelled pv-label-key=wf (storage.pvLabelKey, claim ray-workflows-claim) are not "
        "ReadWriteMany-capable" in result.stderr
    )
    assert (
        "no PersistentVolume is labelled pv-label-key=data (storage.dataPvLabelKey" in result.stderr
    )
    emu.put(volume("pv-wf", "wf", "ReadWriteMany"))
    emu.put(volume("pv-data", "data", "ReadWriteMany"))
    assert run(emu, "check", "-f", str(values)).exit_code == 0


def test_preflight_serves_version_check_and_skip(emu: Emulator, values: Path) -> None:
    ready_for_release(emu)
    emu.call(emu.kube.store.types.pop, ("ray.io", "v1alpha1", "rayclusters"))
    emu.call(emu.kube.resources.__delitem__, "ray.io/v1alpha1/rayclusters")
    from support.kube_emulator import TypeInfo

    emu.call(
        emu.kube.serve_type, TypeInfo("ray.io", "v1", "rayclusters", "RayCluster", status=True)
    )
    result = run(emu, "check", "-f", str(values))
    assert "serves only v1, not v1alpha1" in result.stderr
    skipped = run(emu, "apply", "-f", str(values), "--skip-preflight")
    assert skipped.exit_code == 1
    assert "RayCluster syntho/ray-cluster: the RayCluster CRD" in skipped.stderr
    assert "applied 10 of 11 objects" in skipped.stderr


def test_crds_from_a_directory_are_applied_and_established_first(
    emu: Emulator, values: Path, tmp_path: Path
) -> None:
    ready_for_release(emu)
    emu.call(emu.kube.store.types.pop, ("ray.io", "v1alpha1", "rayclusters"))
    emu.call(emu.kube.resources.__delitem__, "ray.io/v1alpha1/rayclusters")
    emu.kube.crd_delay = 0.2
    crds = tmp_path / "crds"
    crds.mkdir()
    (crds / "ray.io_rayclusters.yaml").write_text(MINIMAL_CRD, encoding="utf-8")
    (crds / "kustomization.yaml").write_text("kind: Kustomization\n", encoding="utf-8")
    result = run(emu, "apply", "-f", str(values), "--crds", str(crds))
    assert result.exit_code == 0, result.output
    assert "CustomResourceDefinition rayclusters.ray.io: created" in result.stdout
    assert emu.names("RayCluster", "syntho") == ["ray-cluster"]
    (crds / "bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    bad = run(emu, "apply", "-f", str(values), "--crds", str(crds))
    assert bad.exit_code == 1 and "ConfigMap is not a CustomResourceDefinition" in bad.stderr


def test_conflict_with_another_manager_names_it_and_force_takes_over(
    emu: Emulator, values: Path
) -> None:
    ready_for_release(emu)
    assert run(emu, "apply", "-f", str(values)).exit_code == 0
    deployment = emu.get("Deployment", "syntho", "kuberay-operator")
    assert deployment is not None
    deployment["spec"]["template"]["spec"]["containers"][0]["image"] = "other:1"
    emu.put({k: v for k, v in deployment.items() if k != "status"}, manager="kubectl-edit")
    refused = run(emu, "apply", "-f", str(values))
    assert refused.exit_code == 1
    assert (
        "Deployment syntho/kuberay-operator: Apply failed with 1 conflict: "
        'conflict with "kubectl-edit"' in refused.stderr
    )
    assert "--force-conflicts" in refused.stderr
    assert (
        "not applied: Deployment syntho/kuberay-operator, RayCluster syntho/ray-cluster"
        in refused.stderr
    )
    forced = run(emu, "apply", "-f", str(values), "--force-conflicts")
    assert forced.exit_code == 0, forced.output
    live = emu.get("Deployment", "syntho", "kuberay-operator")
    assert live is not None
    assert live["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":latest")


def test_forbidden_object_reports_half_way_and_a_rerun_converges(
    emu: Emulator, values: Path
) -> None:
    ready_for_release(emu)
    allow = emu.forbid("PATCH", "roles")
    failed = run(emu, "apply", "-f", str(values))
    assert failed.exit_code == 1
    lines = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert lines[0].startswith("error: Role syntho/kuberay-operator: forbidden: ")
    assert "ask a cluster admin to allow 'patch' on roles in namespace syntho" in lines[0]
    assert "applied 4 of 11 objects" in lines[1]
    allow()  # the admin granted the permission
    again = run(emu, "apply", "-f", str(values))
    assert again.exit_code == 0, again.output
    assert "4 unchanged" in again.stderr and "7 created" in again.stderr
