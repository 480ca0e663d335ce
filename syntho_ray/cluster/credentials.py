"""A kubeconfig's credential plugin (`users[].user.exec`), run with a time limit.

The `kubernetes` client runs the plugin without a time limit, and when the plugin cannot run
it logs an error and carries on unauthenticated. Inside `credential_plugins`, the client runs
this runner instead: the plugin gets at most the request timeout, and whatever goes wrong
(not found, a hang, a failure, an answer that is not an ExecCredential) is recorded in one
sentence, for the caller to report.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def credential_plugins(timeout: float) -> Iterator[list[str]]:
    """While open, the client's credential plugins run through `_Runner`; the list collects
    each failure."""
    from syntho_ray.cluster.kubeclient import client

    exec_provider, kube_config = client().exec_provider, client().kube_config
    failures: list[str] = []
    base: Any = exec_provider.ExecProvider

    class _Runner(base):  # type: ignore[misc]
        def run(self, previous_response: Any = None) -> dict[str, Any]:
            try:
                return _run(self, timeout)
            except _PluginFailed as failed:
                failures.append(str(failed))
                raise exec_provider.ConfigException(str(failed)) from None

    quiet = logging.NullHandler()  # the client logs the failure at ERROR: we report it
    root = logging.getLogger()
    original = kube_config.ExecProvider
    kube_config.ExecProvider = _Runner
    root.addHandler(quiet)
    try:
        yield failures
    finally:
        kube_config.ExecProvider = original
        root.removeHandler(quiet)


class _PluginFailed(Exception):
    """The plugin did not give a credential; str() says why."""


def _run(provider: Any, timeout: float) -> dict[str, Any]:
    command = shlex.join(provider.args) if isinstance(provider.args, list) else provider.args
    name = f"the credential plugin `{command}`"
    info = {"apiVersion": provider.api_version, "kind": "ExecCredential"}
    environment = dict(provider.env or os.environ)
    environment["KUBERNETES_EXEC_INFO"] = json.dumps(info | {"spec": {"interactive": False}})
    try:
        done = subprocess.run(
            provider.args,
            capture_output=True,
            text=True,
            env=environment,
            cwd=provider.cwd,
            shell=provider.shell,
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise _PluginFailed(f"{name} was not found; install it or fix its path") from None
    except subprocess.TimeoutExpired:
        raise _PluginFailed(f"{name} did not answer within {timeout:g}s") from None
    except OSError as error:
        raise _PluginFailed(f"{name} cannot run: {error.strerror}") from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or [""])[-1][:200]
        raise _PluginFailed(
            f"{name} failed (exit code {done.returncode}){': ' + said if said else ''}"
        )
    return _status(done.stdout, name, provider.api_version)


def _status(output: str, name: str, api_version: str) -> dict[str, Any]:
    try:
        answer = json.loads(output)
    except ValueError:
        raise _PluginFailed(f"{name} did not print an ExecCredential (JSON)") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("status"), dict):
        raise _PluginFailed(f"{name} printed an ExecCredential without a status")
    if answer.get("apiVersion") != api_version:
        raise _PluginFailed(f"{name} answered in {answer.get('apiVersion')}, not {api_version}")
    status: dict[str, Any] = answer["status"]
    return status
