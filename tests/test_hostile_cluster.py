"""Issue 13, points 5, 7 and 8 at the cluster: faults get one bounded, clear answer.

Credential plugins and API servers that stop answering are bounded by `--request-timeout`
and named; broken kubeconfigs, TLS and Helm release records are one line each; migrate's
values file is created private and never through a symbolic link.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_process import MB, one_clear_error, syntho_ray
from support.kube_emulator import Emulator, kubeconfig_text

LICENSE = "SYNTHO-LIC-migrate-hostile-31"


def kubeconfig(path: Path, server: str, user: dict[str, Any] | None = None) -> Path:
    data = yaml.safe_load(kubeconfig_text(server))
    if user is not None:
        data["users"][0]["user"] = user
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def exec_user(command: str, *args: str) -> dict[str, Any]:
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": command,
            "args": list(args),
            "interactiveMode": "Never",
        }
    }


# -- point 7: bounded waits --------------------------------------------------------------------


def test_a_credential_plugin_that_hangs_is_bounded(emu: Emulator, tmp_path: Path) -> None:
    hanging = exec_user(sys.executable, "-c", "import time; time.sleep(600)")
    config = kubeconfig(tmp_path / "hang.kubeconfig", emu.url, hanging)
    ran = syntho_ray("status", "--kubeconfig", config, "--request-timeout", "2s", timeout=45)
    message = one_clear_error(ran)
    assert "credential plugin" in message and "2s" in message


def test_a_missing_credential_plugin_fails_clearly(emu: Emulator, tmp_path: Path) -> None:
    missing = exec_user("/nonexistent/kube-login-helper")
    config = kubeconfig(tmp_path / "missing.kubeconfig", emu.url, missing)
    ran = syntho_ray("status", "--kubeconfig", config, timeout=45)
    message = one_clear_error(ran)
    assert "/nonexistent/kube-login-helper" in message and "not found" in message
    assert "ERROR:root" not in ran.stderr


@pytest.fixture
def stopped_server() -> Iterator[str]:
    """A real HTTP server, stopped with SIGSTOP: the kernel still accepts connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                threading.Event().wait(0.05)
        server.send_signal(signal.SIGSTOP)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGCONT)
        server.kill()
        server.wait()


def test_an_api_server_that_stops_answering_is_bounded(stopped_server: str, tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "stopped.kubeconfig", stopped_server)
    ran = syntho_ray("status", "--kubeconfig", config, "--request-timeout", "2s", timeout=45)
    message = one_clear_error(ran)
    assert stopped_server in message and "did not answer within 2s" in message


# -- point 5: kubeconfig and TLS ---------------------------------------------------------------


def test_a_malformed_kubeconfig(tmp_path: Path) -> None:
    config = tmp_path / "broken.kubeconfig"
    config.write_text("apiVersion: v1\nclusters: [\n  - name: x\n", encoding="utf-8")
    message = one_clear_error(syntho_ray("status", "--kubeconfig", config))
    assert str(config) in message


def test_plain_http_behind_https(emu: Emulator, tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "tls.kubeconfig", emu.url.replace("http://", "https://"))
    message = one_clear_error(syntho_ray("status", "--kubeconfig", config, timeout=45))
    assert "TLS" in message


@pytest.fixture
def self_signed(tmp_path: Path) -> Iterator[str]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1024)
            except (OSError, ssl.SSLError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{port}"
    listener.close()


def test_a_self_signed_certificate(self_signed: str, tmp_path: Path) -> None:
    config = kubeconfig(tmp_path / "self.kubeconfig", self_signed)
    message = one_clear_error(syntho_ray("status", "--kubeconfig", config, timeout=45))
    assert "TLS" in message and "certificate" in message


# -- Helm release records ------------------------------------------------------------------------


def release_json(**overrides: Any) -> dict[str, Any]:
    release: dict[str, Any] = {
        "name": "ray-cluster",
        "namespace": "syntho",
        "version": 1,
        "info": {"status": "deployed"},
        "chart": {"metadata": {"name": "ray-cluster", "version": "1.13.0"}},
        "config": {"SynthoLicense": LICENSE},
        "manifest": "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: legacy}\n",
    }
    return release | overrides


def record(payload: bytes, *, gzipped: bool = True) -> dict[str, Any]:
    packed = gzip.compress(payload) if gzipped else payload
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "helm.sh/release.v1",
        "metadata": {
            "name": "sh.helm.release.v1.ray-cluster.v1",
            "namespace": "syntho",
            "labels": {
                "owner": "helm",
                "name": "ray-cluster",
                "version": "1",
                "status": "deployed",
            },
        },
        "data": {"release": base64.b64encode(base64.b64encode(packed)).decode()},
    }


def bomb() -> bytes:
    """A gzip member of about 1 MiB that expands to 2 GiB of JSON-looking zeros."""
    compressor = gzip.compress(b"0" * (64 * MB), compresslevel=9)
    return b"".join([compressor] * 32)  # concatenated members: gunzip reads them all


RECORDS: dict[str, dict[str, Any]] = {
    "truncated gzip": record(
        gzip.compress(json.dumps(release_json()).encode())[:-30], gzipped=False
    ),
    "not JSON": record(b"{not json"),
    "manifest not YAML": record(json.dumps(release_json(manifest="a: [\n- b")).encode()),
    "config a list": record(json.dumps(release_json(config=["a", "b"])).encode()),
    "chart a string": record(json.dumps(release_json(chart="ray")).encode()),
    "expands to 2 GiB": record(bomb(), gzipped=False),
}


@pytest.mark.parametrize("case", sorted(RECORDS))
def test_a_broken_helm_release_record(emu: Emulator, tmp_path: Path, case: str) -> None:
    emu.put(RECORDS[case], manager="helm")
    out = tmp_path / "values.yaml"
    ran = syntho_ray(
        "migrate", "--from-helm-release", "ray-cluster", "-o", out,
        "--kubeconfig", emu.kubeconfig, timeout=90,
    )  # fmt: skip
    message = one_clear_error(ran)
    assert "sh.helm.release.v1.ray-cluster.v1" in message
    assert ran.peak_rss < 600 * MB
    assert not out.exists()
    assert LICENSE not in ran.output


# -- point 1 and 8: migrate's values file ---------------------------------------------------------


@pytest.fixture
def helm_release(emu: Emulator) -> Emulator:
    emu.put(record(json.dumps(release_json()).encode()), manager="helm")
    return emu


def migrate(emu: Emulator, out: Path | str, *extra: str, **options: Any) -> Any:
    return syntho_ray(
        "migrate", "--from-helm-release", "ray-cluster", "-o", out, *extra,
        "--kubeconfig", emu.kubeconfig, **options,
    )  # fmt: skip


def test_migrate_into_a_device_is_refused_at_once(helm_release: Emulator) -> None:
    ran = migrate(helm_release, "/dev/full", "--force", timeout=45)
    message = one_clear_error(ran)
    assert "/dev/full" in message and "not a regular file" in message


SPY = """
import io, json, os, runpy, sys
log = open(os.environ["OPEN_LOG"], "a")
real_os_open, real_io_open = os.open, io.open
def os_open(path, flags, mode=0o777, *a, **k):
    if flags & os.O_CREAT:
        log.write(json.dumps(["os", os.fspath(path), flags, mode]) + "\\n"); log.flush()
    return real_os_open(path, flags, mode, *a, **k)
def io_open(file, mode="r", *a, **k):
    if isinstance(file, (str, bytes, os.PathLike)) and any(c in mode for c in "wax+"):
        log.write(json.dumps(["io", os.fsdecode(file), mode, 0]) + "\\n"); log.flush()
    return real_io_open(file, mode, *a, **k)
os.open, io.open = os_open, io_open
import builtins; builtins.open = io_open
sys.argv = ["syntho-ray", *sys.argv[1:]]
runpy.run_module("syntho_ray", run_name="__main__")
"""


def test_migrate_creates_its_values_file_private_from_the_start(
    helm_release: Emulator, tmp_path: Path
) -> None:
    out_dir = tmp_path / "values"
    out_dir.mkdir()
    log = tmp_path / "opens.log"
    args = ["--from-helm-release", "ray-cluster", "-o", str(out_dir / "v.yaml")]
    process = subprocess.run(
        [sys.executable, "-c", SPY, "migrate", *args, "--kubeconfig", str(helm_release.kubeconfig)],
        env={**os.environ, "OPEN_LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0),
    )
    assert process.returncode == 0, process.stderr
    created = [json.loads(line) for line in log.read_text().splitlines()]
    into = [c for c in created if Path(c[1]).resolve().parent == out_dir.resolve()]
    assert into, created
    for how, _, flags, mode in into:
        assert how == "os", into  # never a plain open(..., "w"): that is 0666 & ~umask
        assert mode & 0o077 == 0 and flags & os.O_NOFOLLOW, into
    assert (out_dir / "v.yaml").stat().st_mode & 0o077 == 0


def test_migrate_never_writes_the_license_through_a_symlink(
    helm_release: Emulator, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = tmp_path / "v.yaml"
    link.symlink_to(elsewhere / "target.yaml")
    message = one_clear_error(migrate(helm_release, link))
    assert "symbolic link" in message
    assert not (elsewhere / "target.yaml").exists()
    (elsewhere / "target.yaml").write_text("mine: true\n", encoding="utf-8")
    message = one_clear_error(migrate(helm_release, link, "--force"))
    assert "symbolic link" in message
    assert (elsewhere / "target.yaml").read_text(encoding="utf-8") == "mine: true\n"
