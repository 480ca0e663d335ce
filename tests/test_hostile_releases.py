"""Issue 13, point 3: one release never adopts, prunes or deletes another's objects.

An object labelled with another release, or made by Helm, is left alone unless the user says
`--take-ownership`; the names that would collide are refused with a message naming the owner.
Against the API emulator, through the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.cli_process import Ran, one_clear_error, syntho_ray
from support.kube_emulator import Emulator

LICENSE_A = "SYNTHO-LIC-release-a-0001"
LICENSE_B = "SYNTHO-LIC-release-b-0002"
# The second release has its own names wherever the values allow it.
VALUES_B = f"""\
SynthoLicense: {LICENSE_B}
clustername: ray-b
fullnameOverride: kuberay-b
serviceAccount: {{name: kuberay-b}}
"""
SHARED_NAMES = [
    ("PersistentVolumeClaim", "ray-workflows-claim"),
    ("PersistentVolumeClaim", "ray-data-claim"),
    ("Secret", "ray-secret"),
]


def cli(emu: Emulator, *args: str | Path) -> Ran:
    return syntho_ray(*args, "--kubeconfig", emu.kubeconfig)


def values(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def instance(emu: Emulator, kind: str, name: str) -> Any:
    obj = emu.get(kind, "syntho", name)
    assert obj is not None, f"{kind} {name} is gone"
    return (obj["metadata"].get("labels") or {}).get("app.kubernetes.io/instance")


def install_a(emu: Emulator, tmp_path: Path) -> None:
    a = values(tmp_path, "a.yaml", f"SynthoLicense: {LICENSE_A}\n")
    ran = cli(emu, "apply", "-f", a, "--release", "ray-a")
    assert ran.returncode == 0, ran.stderr


def test_a_second_release_does_not_configure_the_first_releases_objects(
    emu: Emulator, tmp_path: Path
) -> None:
    install_a(emu, tmp_path)
    b = values(tmp_path, "b.yaml", VALUES_B)
    ran = cli(emu, "apply", "-f", b, "--release", "ray-b")
    message = one_clear_error(ran)
    for kind, name in SHARED_NAMES:
        assert name in message
        assert instance(emu, kind, name) == "ray-a"
    assert "release ray-a" in message and "--take-ownership" in message
    assert emu.names("Deployment", "syntho") == ["kuberay-operator"]  # nothing of B applied


def test_a_second_release_is_refused_even_in_a_dry_run(emu: Emulator, tmp_path: Path) -> None:
    install_a(emu, tmp_path)
    b = values(tmp_path, "b.yaml", VALUES_B)
    for dry in ("--dry-run=client", "--dry-run=server"):
        message = one_clear_error(cli(emu, "apply", "-f", b, "--release", "ray-b", dry))
        assert "ray-data-claim" in message and "release ray-a" in message


def test_delete_all_of_a_second_release_keeps_the_first_releases_objects(
    emu: Emulator, tmp_path: Path
) -> None:
    install_a(emu, tmp_path)
    b = values(tmp_path, "b.yaml", VALUES_B)
    ran = cli(emu, "delete", "-f", b, "--release", "ray-b", "--all", "--yes")
    assert ran.returncode == 0, ran.stderr
    for kind, name in SHARED_NAMES:
        assert instance(emu, kind, name) == "ray-a"
    assert "ray-data-claim" in ran.output and "release ray-a" in ran.output
    assert emu.names("Deployment", "syntho") == ["kuberay-operator"]


def test_take_ownership_is_the_explicit_way_to_adopt(emu: Emulator, tmp_path: Path) -> None:
    install_a(emu, tmp_path)
    b = values(tmp_path, "b.yaml", VALUES_B)
    ran = cli(emu, "apply", "-f", b, "--release", "ray-b", "--take-ownership")
    assert ran.returncode == 0, ran.stderr
    for kind, name in SHARED_NAMES:
        assert instance(emu, kind, name) == "ray-b"


def helm_made(kind: str, name: str) -> dict[str, Any]:
    meta = {
        "name": name,
        "namespace": "syntho",
        "labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {
            "meta.helm.sh/release-name": "old-ray",
            "meta.helm.sh/release-namespace": "syntho",
        },
    }
    if kind == "Secret":
        return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": {"k": "dg=="}}
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta,
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def test_an_object_helm_made_is_not_adopted_without_a_flag(emu: Emulator, tmp_path: Path) -> None:
    emu.put(helm_made("PersistentVolumeClaim", "ray-data-claim"), manager="helm")
    a = values(tmp_path, "a.yaml", f"SynthoLicense: {LICENSE_A}\n")
    message = one_clear_error(cli(emu, "apply", "-f", a))
    assert "ray-data-claim" in message and "Helm" in message and "old-ray" in message
    assert "migrate" in message  # the way to take a Helm release over
    claim = emu.get("PersistentVolumeClaim", "syntho", "ray-data-claim")
    assert claim["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert cli(emu, "apply", "-f", a, "--take-ownership").returncode == 0
    claim = emu.get("PersistentVolumeClaim", "syntho", "ray-data-claim")
    assert claim["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "syntho-ray"


def test_delete_never_deletes_what_helm_made(emu: Emulator, tmp_path: Path) -> None:
    emu.put(helm_made("Secret", "ray-secret"), manager="helm")
    a = values(tmp_path, "a.yaml", f"SynthoLicense: {LICENSE_A}\n")
    ran = cli(emu, "delete", "-f", a, "--all", "--yes")
    assert ran.returncode == 0, ran.stderr
    assert emu.get("Secret", "syntho", "ray-secret") is not None
