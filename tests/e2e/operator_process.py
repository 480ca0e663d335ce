"""The KubeRay operator as the release deploys it, run as a local process.

It is started from the live operator Deployment (what syntho-ray applied): the container's
command and args and its env, and it sees what a pod sees: KUBERNETES_SERVICE_HOST/PORT and,
in a mount namespace of its own (`unshare --mount`, a tmpfs over /var/run), the ServiceAccount
files at /var/run/secrets/kubernetes.io/serviceaccount: a token of the Deployment's
ServiceAccount from the TokenRequest API, the cluster CA and the namespace. So it uses its
in-cluster configuration, and the rendered RBAC is what the API server enforces on it. Only
what must be local changes: the binary path (the command's first word), the metrics and
health ports (127.0.0.1, free) and a log file path. One setting is added where the Deployment
sets none: the operator's periodic requeue (RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV, 300 s by
default) is 10 s. KubeRay 0.5.0 loses a status update that meets a conflict (it logs "Update
status error ... the object has been modified" and only requeues after that period): with 300 s,
a RayCluster whose pods are ready can stay without `status.state` for five minutes.

`problems()` lists the log lines that show the operator cannot do its work: RBAC refusals,
errors, a flag it does not know, or its exit. An operator stopped on purpose is judged on what it
logged before the stop: its shutdown is not its work (KubeRay 0.5.0's controller-runtime 0.11 may
log "error received after stop sequence was engaged ... leader election lost" as it ends).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlplane import Process, free_port
from kubeapi import Api

# Leader election and the optimistic-concurrency retries of a healthy operator log these.
BENIGN = re.compile(r"the object has been modified|Operation cannot be fulfilled|already exists")
TROUBLE = re.compile(
    r'(?i:forbidden)|flag provided but not defined|"level":"error"|\tERROR\t|^E\d{4} |^panic:',
    re.MULTILINE,
)
REQUEUE = "RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV"  # the variable's name, as the operator reads it
LOCAL_FLAGS = ("metrics-addr", "health-probe-bind-address")
ACCOUNT_FILES = "/var/run/secrets/kubernetes.io/serviceaccount"
# In its own mount namespace: a tmpfs over /var/run (the host's stays untouched), the
# ServiceAccount files where a pod has them, then the operator.
POD_VIEW = (
    'mount -t tmpfs tmpfs /var/run && mkdir -p "$1" && cp "$2"/* "$1"/ && shift 2 && exec "$@"'
)


def operator_container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, [c["name"] for c in containers]
    return dict(containers[0])


def _flag_name(arg: str) -> str:
    return arg.lstrip("-").split("=", 1)[0]


def local_argv(
    container: dict[str, Any], binary: Path, folder: Path, ports: tuple[int, int]
) -> list[str]:
    """The container's command and args, changed only where a path or port must be local."""
    words = [*(container.get("command") or ["/manager"]), *(container.get("args") or [])]
    kept: list[str] = []
    skip_value = False
    for word in words[1:]:
        if skip_value:
            skip_value = False
            continue
        name = _flag_name(word)
        if word.startswith("-") and name in LOCAL_FLAGS:
            skip_value = "=" not in word
            continue
        if word.startswith("-") and name == "log-file-path":
            kept.append(f"--log-file-path={folder / 'operator-file.log'}")
            skip_value = "=" not in word
            continue
        kept.append(word)
    metrics, health = ports
    return [
        str(binary),
        *kept,
        f"--metrics-addr=127.0.0.1:{metrics}",
        f"--health-probe-bind-address=127.0.0.1:{health}",
    ]


def in_pod_view(argv: list[str], files: Path) -> list[str]:
    """argv run with the ServiceAccount files of `files` where a pod has them."""
    unshare = ["unshare", "--mount"] + ([] if os.geteuid() == 0 else ["--map-root-user"])
    return [*unshare, "sh", "-c", POD_VIEW, "pod-view", ACCOUNT_FILES, str(files), *argv]


def account_files(folder: Path, api: Api, namespace: str, account: str) -> Path:
    """What a pod of `account` finds in its ServiceAccount folder: token, ca.crt, namespace."""
    folder.mkdir(mode=0o700, exist_ok=True)
    (folder / "token").write_text(service_account_token(api, namespace, account))
    (folder / "ca.crt").write_bytes(api.ca.read_bytes())
    (folder / "namespace").write_text(namespace)
    return folder


def container_env(container: dict[str, Any], namespace: str) -> dict[str, str]:
    """The container's env as a process environment (fieldRef to the namespace resolved)."""
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        path = ((item.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        if path != "metadata.namespace":
            raise AssertionError(f"env {item['name']}: cannot be given to a local process: {item}")
        env[item["name"]] = namespace
    return env


def service_account_token(api: Api, namespace: str, account: str) -> str:
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600},
    }
    path = f"/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token"
    return str(api.request("POST", path, request)["status"]["token"])


@dataclass
class Operator:
    """A running operator process for one release."""

    process: Process
    health_port: int
    version: str
    stopped_at: int | None = None  # the log's length when the test stopped it

    @classmethod
    def start(
        cls, api: Api, binary: Path, version: str, namespace: str, name: str, folder: Path
    ) -> Operator:
        """Run the operator of the live Deployment `name` in `namespace`; wait until it is up."""
        deployment = api.request("GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
        container = operator_container(deployment)
        account = deployment["spec"]["template"]["spec"].get("serviceAccountName") or "default"
        files = account_files(folder / f"account-{namespace}", api, namespace, account)
        ports = (free_port(), free_port())
        argv = in_pod_view(local_argv(container, binary, folder, ports), files)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(folder),
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": str(api.port),
            REQUEUE: "10",
            **container_env(container, namespace),
        }
        log = folder / f"operator-{namespace}.log"
        log.write_text(f"# {json.dumps(argv)}\n")
        process = Process(f"kuberay-operator {version}", argv, log, env)
        process.start()
        operator = cls(process, ports[1], version)
        process.wait_until(operator.healthy)
        return operator

    def healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.health_port}/readyz"
        with urllib.request.urlopen(url, timeout=5) as answer:
            return bool(answer.status == 200)

    def problems(self) -> list[str]:
        """Log lines that show the operator failing at its work, and its exit if it ended."""
        text = self.process.log.read_bytes()[: self.stopped_at].decode(errors="replace")
        found = [
            line for line in text.splitlines() if TROUBLE.search(line) and not BENIGN.search(line)
        ]
        if self.stopped_at is None and not self.process.running():
            found.append(self.process.failure("exited"))
        return found

    def wait_for_log(self, pattern: str, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if re.search(pattern, self.process.log.read_text(errors="replace")):
                return
            time.sleep(0.2)
        raise AssertionError(self.process.failure(f"never logged {pattern!r}"))

    def stop(self) -> None:
        if self.stopped_at is None:
            self.stopped_at = self.process.log.stat().st_size
        self.process.stop()
