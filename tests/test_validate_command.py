"""`syntho-ray validate`: every check of `render`, nothing written, and the Pod Security Standards
level of each pod template with the reasons it misses a stricter one."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import RUNNER

from syntho_ray import cli

CORPUS = Path(__file__).parent / "bad_values"
LEVEL = re.compile(r"^  (?P<pod>\S.*): (?P<level>privileged|baseline|restricted)$")

HARDENED = """\
SynthoLicense: example-license-key
securityContext: &hardened
  runAsNonRoot: true
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
  seccompProfile:
    type: RuntimeDefault
head:
  init_container_enabled: false
  securityContext: *hardened
worker:
  disabled: false
  securityContext: *hardened
  initContainerSecurityContext: *hardened
"""


def validate(*args: str | Path) -> Any:
    return RUNNER.invoke(cli.app, ["validate", *map(str, args)])


def _values(tmp_path: Path, text: str, name: str = "values.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _report(stdout: str) -> dict[str, tuple[str, list[str]]]:
    """Pod template -> (level, reasons), from validate's output."""
    found: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in stdout.splitlines():
        if match := LEVEL.match(line):
            current = match["pod"]
            found[current] = (match["level"], [])
        elif line.startswith("    - ") and current is not None:
            found[current][1].append(line.removeprefix("    - "))
    return found


def _files(directory: Path) -> list[Path]:
    return sorted(p.relative_to(directory) for p in directory.rglob("*"))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory, to show validate writes nothing there."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


def test_validate_reports_each_pod_template_and_writes_nothing(
    workdir: Path, tmp_path: Path
) -> None:
    values = _values(
        tmp_path,
        """\
        SynthoLicense: example-license-key
        worker:
          disabled: false
        additionalWorkerGroups:
          smallGroup:
            disabled: false
          gpu:
            disabled: false
          unused:
            disabled: true
        """,
    )
    before = _files(tmp_path)
    result = validate("-f", values)
    assert result.exit_code == 0, result.stderr
    assert "apiVersion:" not in result.stdout  # a report, not manifests
    report = _report(result.stdout)
    assert set(report) == {
        "Deployment/kuberay-operator",
        "RayCluster/ray-cluster head",
        "RayCluster/ray-cluster group workergroup",
        "RayCluster/ray-cluster group smallGroup",
        "RayCluster/ray-cluster group gpu",
    }
    for level, reasons in report.values():
        assert level in ("privileged", "baseline", "restricted")
        assert reasons or level == "restricted"
    assert _files(tmp_path) == before
    assert _files(workdir) == []


def test_the_heads_chmod_init_container_is_a_reason(workdir: Path) -> None:
    result = validate()
    assert result.exit_code == 0, result.stderr
    level, reasons = _report(result.stdout)["RayCluster/ray-cluster head"]
    assert level == "baseline"
    chmod = [r for r in reasons if "chmod -R 777" in r]
    assert chmod, reasons
    assert all("root" in r for r in chmod)
    assert any(r.startswith("init container") for r in chmod)
    assert _files(workdir) == []


def test_disabled_groups_are_not_reported(workdir: Path) -> None:
    result = validate()  # the chart's defaults: worker and smallGroup disabled
    assert result.exit_code == 0, result.stderr
    assert set(_report(result.stdout)) == {
        "Deployment/kuberay-operator",
        "RayCluster/ray-cluster head",
    }


def test_hardened_values_reach_restricted(workdir: Path, tmp_path: Path) -> None:
    result = validate("-f", _values(tmp_path, HARDENED))
    assert result.exit_code == 0, result.stderr
    report = _report(result.stdout)
    assert report["RayCluster/ray-cluster head"] == ("restricted", [])
    assert report["Deployment/kuberay-operator"] == ("restricted", [])
    assert report["RayCluster/ray-cluster group workergroup"] == ("restricted", [])
    assert _files(workdir) == []


def test_the_init_container_alone_keeps_the_head_at_baseline(workdir: Path, tmp_path: Path) -> None:
    text = HARDENED.replace("  init_container_enabled: false\n", "")
    result = validate("-f", _values(tmp_path, text))
    assert result.exit_code == 0, result.stderr
    level, reasons = _report(result.stdout)["RayCluster/ray-cluster head"]
    assert level == "baseline"
    assert reasons and all(r.startswith("init container") for r in reasons)


def test_a_hardened_init_container_reaches_restricted(workdir: Path, tmp_path: Path) -> None:
    text = HARDENED.replace(
        "  init_container_enabled: false\n",
        "  initContainer:\n    securityContext: *hardened\n",
    )
    result = validate("-f", _values(tmp_path, text))
    assert result.exit_code == 0, result.stderr
    assert _report(result.stdout)["RayCluster/ray-cluster head"] == ("restricted", [])


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ("head:\n  securityContext:\n    privileged: true\n", "privileged"),
        (
            "head:\n  volumes:\n    - name: log-volume\n      hostPath: {path: /var/log}\n",
            "hostPath",
        ),
        (
            "head:\n  securityContext:\n    capabilities:\n      add: [SYS_ADMIN]\n",
            "SYS_ADMIN",
        ),
        ("head:\n  ports:\n    - {containerPort: 6379, hostPort: 6379, name: gcs}\n", "hostPort"),
    ],
    ids=["privileged", "host-path", "sys-admin", "host-port"],
)
def test_what_baseline_forbids_makes_the_head_privileged(
    workdir: Path, tmp_path: Path, values: str, reason: str
) -> None:
    result = validate("-f", _values(tmp_path, values))
    assert result.exit_code == 0, result.stderr
    level, reasons = _report(result.stdout)["RayCluster/ray-cluster head"]
    assert level == "privileged"
    assert any(reason in r for r in reasons), reasons


def test_bad_values_exit_1_with_the_same_errors_as_render(workdir: Path) -> None:
    name = "35-several-problems.yaml"
    path = CORPUS / name
    result = validate("-f", path)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "Pod Security" not in result.stdout
    rendered = RUNNER.invoke(cli.app, ["render", "-f", str(path), "-o", str(workdir / "out")])
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) >= 5
    assert errors == [line for line in rendered.stderr.splitlines() if line.startswith("error: ")]
    assert _files(workdir) == []


@pytest.mark.parametrize(
    "name",
    ["03-dutch-guide.yaml", "19-mount-missing-volume-head.yaml", "27-duplicate-key.yaml"],
)
def test_validate_reports_corpus_files(workdir: Path, name: str) -> None:
    result = validate("-f", CORPUS / name)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("error: ") >= 1
    assert _files(workdir) == []


def test_a_usage_error_exits_2(workdir: Path) -> None:
    result = validate("--namespace", "Not_Valid")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


# -- The guide's sizing rules, as warnings ---------------------------------------------------------


def _warnings(stderr: str) -> list[str]:
    return [line.removeprefix("warning: ") for line in stderr.splitlines() if "warning: " in line]


def test_a_head_with_less_than_2g_is_warned_about(workdir: Path, tmp_path: Path) -> None:
    values = _values(
        tmp_path,
        """\
        head:
          resources:
            limits: {cpu: "1", memory: 1G}
            requests: {cpu: "1", memory: 1G}
        """,
    )
    result = validate("-f", values)
    assert result.exit_code == 0, result.stderr
    found = [w for w in _warnings(result.stdout) if w.startswith("head.resources")]
    assert any("less than 2G" in w for w in found), result.stderr
    assert "less than 2G" not in result.stderr  # the report, its warnings too, is on stdout


@pytest.mark.parametrize("memory", ["2G", "2Gi", "32G", "4096Mi"])
def test_a_head_with_2g_or_more_is_fine(workdir: Path, tmp_path: Path, memory: str) -> None:
    values = _values(
        tmp_path,
        f"""\
        head:
          resources:
            limits: {{cpu: "1", memory: {memory}}}
            requests: {{cpu: "1", memory: {memory}}}
        """,
    )
    result = validate("-f", values)
    assert result.exit_code == 0, result.stderr
    assert not [w for w in _warnings(result.stdout) if "less than 2G" in w]


def test_requests_different_from_limits_are_warned_about(workdir: Path, tmp_path: Path) -> None:
    values = _values(
        tmp_path,
        """\
        worker:
          disabled: false
          resources:
            limits: {cpu: "16", memory: 64G}
            requests: {cpu: "8", memory: 64G}
        additionalWorkerGroups:
          smallGroup:
            disabled: false
            resources:
              limits: {cpu: 1, memory: 1G}
              requests: {cpu: 1000m, memory: 1000M}
        """,
    )
    result = validate("-f", values)
    assert result.exit_code == 0, result.stderr
    warnings = _warnings(result.stdout)
    assert any(
        w.startswith("worker.resources") and "requests differ from limits" in w for w in warnings
    ), warnings
    # Equal amounts written differently (1 and 1000m, 1G and 1000M) are equal.
    assert not any(
        w.startswith("additionalWorkerGroups.smallGroup.resources") and "requests differ" in w
        for w in warnings
    )


def test_ray_pods_without_limits_are_warned_about(workdir: Path, tmp_path: Path) -> None:
    values = _values(
        tmp_path,
        """\
        head:
          resources:
            requests: {cpu: "8", memory: 32G}
            limits: null
        worker:
          disabled: false
          resources: null
        """,
    )
    result = validate("-f", values)
    assert result.exit_code == 0, result.stderr
    warnings = _warnings(result.stdout)
    assert any(w.startswith("head.resources") and "no limits" in w for w in warnings), warnings
    assert any(w.startswith("worker.resources") and "no limits" in w for w in warnings), warnings


def test_render_shows_the_same_sizing_warnings(tmp_path: Path) -> None:
    values = _values(
        tmp_path,
        """\
        head:
          resources:
            limits: {cpu: "1", memory: 1G}
            requests: {cpu: "1", memory: 512M}
        """,
    )
    rendered = RUNNER.invoke(cli.app, ["render", "-q", "-f", str(values)])
    validated = validate("-f", values)
    assert rendered.exit_code == validated.exit_code == 0
    sizing = [w for w in _warnings(rendered.stderr) if w.startswith("head.resources")]
    assert len(sizing) == 2, rendered.stderr  # less than 2G, and requests differ from limits
    assert sizing == [w for w in _warnings(validated.stdout) if w.startswith("head.resources")]
