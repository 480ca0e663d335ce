"""Transient API errors are retried with backoff; the rest give one clear line and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cluster_setup import FAST, run, values_file
from support.kube_emulator import Emulator, closed_port, kubeconfig_text

from syntho_ray.cli import cluster as cluster_cli
from syntho_ray.cluster.connect import RetryPolicy, Session, connect


@pytest.mark.parametrize(
    ("status", "reset"), [(429, False), (500, False), (503, False), (504, False), (0, True)]
)
def test_transient_faults_are_retried_and_the_apply_succeeds(
    emu: Emulator, tmp_path: Path, status: int, reset: bool
) -> None:
    hits = emu.fail(status, method="PATCH", path="/deployments/", times=2, reset=reset)
    result = run(emu, "apply", "-f", str(values_file(tmp_path)))
    assert result.exit_code == 0, result.output
    assert len(hits) == 2
    assert emu.names("Deployment", "syntho") == ["kuberay-operator"]


def test_retry_after_is_honoured_and_the_backoff_grows() -> None:
    policy = RetryPolicy(budget=10, first_delay=0.5, max_delay=4)
    assert [policy.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.delay(0, retry_after=3) == 3
    assert policy.delay(0, retry_after=60) == 4


def test_a_fault_that_outlasts_the_budget_is_reported(emu: Emulator, tmp_path: Path) -> None:
    slept: list[float] = []
    emu.fail(
        503, method="GET", path="/namespaces/syntho/secrets/nothing", times=1000, retry_after=0.01
    )
    session = connect(
        str(emu.kubeconfig), retry=RetryPolicy(budget=0.3, first_delay=0.01, max_delay=0.02)
    )
    session = Session(
        session.api, session.retry, sleep=lambda s: slept.append(s), clock=_ticking(0.05)
    )
    with pytest.raises(Exception, match="injected fault 503"):
        session.get("/api/v1/namespaces/syntho/secrets/nothing")
    assert 3 <= len(slept) <= 10


def _ticking(step: float) -> object:
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def test_an_unreachable_api_server_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_cli, "RETRY", FAST)
    config = tmp_path / "kubeconfig"
    config.write_text(kubeconfig_text(f"http://127.0.0.1:{closed_port()}"), encoding="utf-8")
    result = run(None, "status", kubeconfig=config)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("note: cannot reach")
    assert lines[1].startswith("error: cannot reach")
    assert "cannot reach the Kubernetes API server at http://127.0.0.1:" in lines[1]
    assert "check that the cluster is running" in lines[1]


def test_a_bad_kubeconfig_or_context_is_one_clear_line(tmp_path: Path, emu: Emulator) -> None:
    missing = run(None, "status", kubeconfig=tmp_path / "nope")
    assert missing.exit_code == 1 and "nope: no such file" in missing.stderr
    wrong = run(emu, "status", "--context", "elsewhere")
    assert wrong.exit_code == 1 and "elsewhere" in wrong.stderr
    assert "Traceback" not in wrong.output


def test_missing_permissions_name_the_object_and_the_verb(emu: Emulator, tmp_path: Path) -> None:
    emu.forbid("DELETE", "deployments")
    result = run(emu, "delete", "-f", str(values_file(tmp_path)), "--yes")
    assert result.exit_code == 0  # nothing applied yet: nothing to delete
    assert run(emu, "apply", "-f", str(values_file(tmp_path))).exit_code == 0
    denied = run(emu, "delete", "-f", str(values_file(tmp_path)), "--yes")
    assert denied.exit_code == 1
    assert "error: Deployment syntho/kuberay-operator: forbidden:" in denied.stderr
    assert "allow 'delete' on deployments in namespace syntho" in denied.stderr
