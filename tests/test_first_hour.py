"""A newcomer's first hour (issue 12): the README's commands, the guide's own examples,
`--help` and the library, as a new user meets them. Offline commands only; the cluster
side is in test_first_hour_cluster.py."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import cli_process
from typer.testing import CliRunner, Result

import syntho_ray
from syntho_ray.cli import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE_PRODUCTION = ROOT.parent / "shared" / "reference" / "cases" / "02-production.yaml"


def cli(*args: str, input: str | None = None) -> Result:
    """The command line in-process, as a user types it."""
    return CliRunner().invoke(app, list(args), input=input)


def process(*args: str) -> cli_process.Ran:
    """`python -m syntho_ray ARGS` of this tree in a new process: what a shell runs."""
    return cli_process.syntho_ray(*args, env={"PYTHONPATH": str(ROOT)}, timeout=120)


def write(tmp_path: Path, text: str, name: str = "values.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def sh_block_after(heading: str) -> str:
    """The first ```sh block after a README heading."""
    rest = README.split(heading, 1)[1]
    return re.search(r"```sh\n(.*?)```", rest, re.S).group(1).strip()  # type: ignore[union-attr]


# -- 1. The README's two commands, verbatim, on a fresh clone


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [p for p in listed.stdout.split("\0") if p and (ROOT / p).is_file()]


def digests(root: Path, paths: list[str]) -> dict[str, str]:
    return {p: hashlib.sha256((root / p).read_bytes()).hexdigest() for p in paths}


def test_readme_first_command_works_on_a_fresh_clone_and_leaves_tracked_files_alone(
    tmp_path: Path,
) -> None:
    install = "pip install .\n"
    first = sh_block_after("## Install and render")
    assert first.startswith(install), first
    assert sh_block_after("To run the tests:") == "pip install -e '.[test]' && pytest"
    clone = tmp_path / "clone"
    paths = tracked_files()
    for path in paths:
        (clone / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, clone / path)
    before = digests(clone, paths)
    # `syntho-ray` is this tree's command; the install step itself is CI's (.ci/run).
    script = f'syntho-ray() {{ "{sys.executable}" -m syntho_ray "$@"; }}\n{first[len(install) :]}'
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    ran = subprocess.run(
        ["bash", "-ec", script], cwd=clone, capture_output=True, text=True, env=env, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert (clone / "manifests" / "kustomization.yaml").is_file()
    assert digests(clone, paths) == before, "the README's first command changed tracked files"


# -- 2. The guide's YAML as printed: an unterminated quote


def test_an_unterminated_quote_is_reported_on_the_line_where_it_opened(tmp_path: Path) -> None:
    if not GUIDE_PRODUCTION.is_file():
        pytest.skip("../shared/reference is missing")
    lines = GUIDE_PRODUCTION.read_text(encoding="utf-8").splitlines()
    opened = next(i for i, line in enumerate(lines) if "block: 'true'" in line)
    lines[opened] = lines[opened].rstrip("'")
    quoted = next(i for i, line in enumerate(lines) if 'cpu: "16"' in line)
    lines[quoted] = lines[quoted].rstrip('"')
    path = write(tmp_path, "\n".join(lines) + "\n", "guide.yaml")
    result = cli("render", "-f", path)
    assert result.exit_code == 1
    assert f"guide.yaml:{opened + 1}:" in result.stderr, result.stderr
    assert "closing quote" in result.stderr and "missing" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_quoted_value_over_two_lines_is_not_blamed_for_a_later_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 'one\n  two'\nb: [1, 2\nc: 3\n")
    result = cli("render", "-f", path)
    assert result.exit_code == 1
    assert "values.yaml:1:" not in result.stderr and "closing quote" not in result.stderr


# -- 3. Placeholders pass


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("image.tag", "<tag>"),
        ("operatorImage.tag", "1.0 beta"),
        ("image.repository", "Syntho.azurecr.io/<repo>"),
        ("head.initContainer.image", "busybox::1.28"),
    ],
)
def test_an_invalid_image_reference_is_refused(key: str, value: str) -> None:
    for command in ("render", "validate"):
        result = cli(command, "--set-string", f"{key}={value}")
        assert result.exit_code == 1, (command, result.output)
        assert key in result.stderr and "image reference" in result.stderr, result.stderr


def test_valid_image_references_still_render() -> None:
    result = cli(
        "render",
        "--set",
        "image.repository=registry.example.com:5000/syntho/syntho-ray",
        "--set",
        "image.tag=2.9.3_cpu-py311",
        "--set",
        "worker.initContainerImage=busybox@sha256:" + "a" * 64,
    )
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "license_text",
    ["<syntho-licentie-sleutel>", "YOUR_LICENSE_KEY", "your-syntho-license-key", "changeme", "xxx"],
)
def test_a_placeholder_license_is_warned_about_and_never_printed(license_text: str) -> None:
    result = cli("render", "--set-string", f"SynthoLicense={license_text}")
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "SynthoLicense" in line]
    assert warning and "placeholder" in warning[0], result.stderr
    assert license_text not in result.stderr
    strict = cli("render", "--strict", "--set-string", f"SynthoLicense={license_text}")
    assert strict.exit_code == 1 and license_text not in strict.output


def test_a_real_looking_license_gets_no_placeholder_warning() -> None:
    result = cli("render", "--set-string", "SynthoLicense=eyJhbGciOi.k3Y9-Zq")
    assert "placeholder" not in result.stderr


# -- 4. Requests above limits


def test_limits_below_the_default_requests_are_refused_naming_the_default() -> None:
    result = cli(
        "render", "--set", "head.resources.limits.cpu=4", "--set", "head.resources.limits.memory=8G"
    )
    assert result.exit_code == 1, result.stderr
    errors = result.stderr.strip().splitlines()
    cpu = next(line for line in errors if "head.resources.requests.cpu" in line)
    assert "8000m" in cpu and "default" in cpu and "head.resources.requests" in cpu
    assert any("head.resources.requests.memory" in line and "32G" in line for line in errors)


def test_requests_above_limits_the_user_gave_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "worker:\n  disabled: false\n  resources:\n"
        "    limits: {cpu: '2', memory: 4Gi}\n    requests: {cpu: '3', memory: 4Gi}\n",
    )
    result = cli("render", "-f", path)
    assert result.exit_code == 1
    assert "values.yaml:" in result.stderr and "worker.resources.requests.cpu" in result.stderr


def test_requests_and_limits_together_render() -> None:
    result = cli(
        "render",
        "--set-json",
        'head.resources={"limits":{"cpu":"4","memory":"8G"},"requests":{"cpu":"4","memory":"8G"}}',
    )
    assert result.exit_code == 0, result.stderr


# -- 5. Translated env var names


def test_a_translated_env_var_name_is_refused_naming_the_guides_name(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "head:\n  containerEnv:\n    - name: STRAAL_SCHEDULER_SPREIDING_DREMPEL\n"
        '      value: "0.0"\n',
    )
    result = cli("render", "-f", path)
    assert result.exit_code == 1
    assert "values.yaml:3" in result.stderr and "head.containerEnv[0].name" in result.stderr
    assert "RAY_SCHEDULER_SPREAD_THRESHOLD" in result.stderr


SPREAD_ENV = "containerEnv:\n    - {name: %s, value: '0.0'}\n"


def test_the_guides_upper_case_spread_threshold_warns_with_the_name_ray_reads(
    tmp_path: Path,
) -> None:
    """Ray reads RAY_scheduler_spread_threshold only (tests/test_ray_env_names.py)."""
    path = write(tmp_path, "head:\n  " + SPREAD_ENV % "RAY_SCHEDULER_SPREAD_THRESHOLD")
    result = cli("render", "-f", path, "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert "values.yaml:3: head.containerEnv[0].name: Ray does not read" in result.stderr
    assert "it reads 'RAY_scheduler_spread_threshold'" in result.stderr
    doc = (tmp_path / "out" / "raycluster-ray-cluster.yaml").read_text()
    assert "RAY_SCHEDULER_SPREAD_THRESHOLD" in doc  # rendered as the chart does


def test_the_name_ray_reads_and_the_charts_own_default_do_not_warn(tmp_path: Path) -> None:
    path = write(tmp_path, "head:\n  " + SPREAD_ENV % "RAY_scheduler_spread_threshold")
    assert "Ray does not read" not in cli("render", "-f", path).stderr
    assert "Ray does not read" not in cli("render").stderr  # the default: noted in the README


def test_chart_114_warns_for_the_upper_case_name_in_common_and_in_a_group(tmp_path: Path) -> None:
    text = "ray-cluster:\n  common:\n    %s  worker:\n    disabled: false\n    %s"
    env = SPREAD_ENV.replace("\n    -", "\n      -") % "RAY_SCHEDULER_SPREAD_THRESHOLD"
    result = cli("render", "--chart", "1.14", "-f", write(tmp_path, text % (env, env)))
    assert result.exit_code == 0, result.stderr
    assert "ray-cluster.common.containerEnv[0].name: Ray does not read" in result.stderr
    assert "ray-cluster.worker.containerEnv[0].name: Ray does not read" in result.stderr


def test_the_dutch_name_points_to_the_name_ray_reads(tmp_path: Path) -> None:
    path = write(tmp_path, "head:\n  " + SPREAD_ENV % "STRAAL_SCHEDULER_SPREIDING_DREMPEL")
    result = cli("render", "-f", path)
    assert result.exit_code == 1
    assert "use 'RAY_scheduler_spread_threshold'" in result.stderr


def test_other_env_var_names_pass(tmp_path: Path) -> None:
    path = write(tmp_path, "head:\n  containerEnv:\n    - {name: MY_OWN_SETTING, value: x}\n")
    assert cli("render", "-f", path).exit_code == 0


# -- 9. Every default shown; undersized Ray pods


def test_the_values_reference_shows_the_default_worker_group() -> None:
    row = next(
        line for line in README.splitlines() if line.startswith("| `additionalWorkerGroups` |")
    )
    assert "smallGroup" in row


def test_an_enabled_small_group_is_warned_about_as_the_chart_advises() -> None:
    result = cli("render", "--set", "additionalWorkerGroups.smallGroup.disabled=false")
    assert result.exit_code == 0
    warning = [line for line in result.stderr.splitlines() if "smallGroup" in line]
    assert warning and "8G" in warning[0], result.stderr


# -- 6. init states facts only


@pytest.mark.parametrize("profile", ["development", "production"])
def test_init_invents_no_facts_and_marks_the_choices(profile: str, tmp_path: Path) -> None:
    result = cli("init", "--profile", profile)
    assert result.exit_code == 0
    text = result.stdout
    for invented in ("1.0.0", "2.5.0", "example tags", "azurefile", "AKS"):
        assert invented not in text, invented
    assert "CHOOSE" in text
    out = tmp_path / "values.yaml"
    written = cli("init", "--profile", profile, "-o", str(out))
    assert written.exit_code == 0
    assert cli("render", "-f", str(out)).exit_code == 0


def test_init_with_a_manual_secret_shows_how_to_create_it(tmp_path: Path) -> None:
    out = tmp_path / "values.yaml"
    result = cli("init", "--profile", "production", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "manualSecretName: syntho-license" in out.read_text(encoding="utf-8")
    assert "create secret generic syntho-license" in result.stderr


# -- 7. Exit codes


def test_a_bad_platform_is_a_usage_error() -> None:
    result = cli("render", "--platform", "foo")
    assert result.exit_code == 2
    assert "--platform" in result.output


def test_exit_codes_are_one_table_in_the_readme() -> None:
    from syntho_ray.errors import EXIT_CODES

    section = README.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    for code, meaning in EXIT_CODES.items():
        assert f"| {code} | {meaning} |" in section


# -- 11. Conveniences


def test_version_and_short_help() -> None:
    version = process("--version")
    assert version.returncode == 0
    assert version.stdout.strip() == f"syntho-ray {syntho_ray.__version__}"
    for args in (["-h"], ["render", "-h"], ["apply", "-h"]):
        shown = process(*args)
        assert shown.returncode == 0 and "Usage:" in shown.stdout, args


def test_shell_completion_is_offered() -> None:
    shown = cli("--help")
    assert "--install-completion" in shown.stdout and "--show-completion" in shown.stdout


@pytest.mark.parametrize(
    ("verb", "ours"),
    [
        ("template", "syntho-ray render"),
        ("install", "syntho-ray apply"),
        ("upgrade", "syntho-ray apply"),
        ("uninstall", "syntho-ray delete"),
    ],
)
def test_helm_verbs_are_answered_with_the_command_to_use(verb: str, ours: str) -> None:
    result = cli(verb, "ray-cluster", "-f", "values.yaml")
    assert result.exit_code == 2
    assert ours in result.output and "Helm" in result.output


def test_validate_writes_its_whole_report_with_warnings_to_stdout() -> None:
    result = cli("validate")
    assert result.exit_code == 0
    assert "SynthoLicense" in result.stdout and "valid:" in result.stdout


COMMANDS = [
    "render",
    "validate",
    "apply",
    "check",
    "diff",
    "status",
    "delete",
    "migrate",
    "images",
    "init",
    "schema",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_placeholders_are_consistent(command: str) -> None:
    shown = cli(command, "--help")
    assert shown.exit_code == 0
    metavars = re.findall(r"^\s+(?:-\w, )?--[\w-]+ (\S+)", shown.stdout, re.M)
    for metavar in metavars:  # FILE, KEY=VALUE, HOST[/PREFIX] or [a|b]: never <str>, TEXT
        choice = re.fullmatch(r"\[[a-z]+(\|[a-z]+)+\]", metavar)
        assert choice or metavar == metavar.upper(), (command, metavar)


def test_check_says_its_create_namespace_creates_nothing() -> None:
    shown = cli("check", "--help")
    option = shown.stdout.split("  --create-namespace", 1)[1].split("\n  -", 1)[0]
    assert "creates nothing" in " ".join(option.split())


# -- 13. The library


def test_problems_from_data_say_no_file_instead_of_line_zero() -> None:
    with pytest.raises(syntho_ray.ValuesError) as raised:
        syntho_ray.values_from_mapping({"worker": {"replicas": -1}})
    problem = raised.value.problems[0]
    assert problem.line is None and problem.column is None
    assert "line=0" not in repr(problem)


def test_readme_says_model_attributes_are_snake_case() -> None:
    library = README.split("## Library", 1)[1].split("\n## ", 1)[0]
    assert "snake_case" in library


def test_warnings_and_notes_are_reachable_without_the_command_line() -> None:
    license_text = "<syntho-licentie-sleutel>"
    data = {"SynthoLicense": license_text, "clustername": "ray-a", "worker": {"replicas": 2}}
    found = syntho_ray.render_notes(data, namespace="team-a")
    assert found.ray_address == "ray://ray-a-head-svc.team-a.svc.cluster.local:10001"
    assert any("placeholder" in w for w in found.warnings)
    assert any(w.startswith("worker: settings are given") for w in found.warnings)
    assert not any(license_text in line for line in [*found.warnings, *found.next_steps])
    assert "  kubectl create namespace team-a   # if it does not exist yet" in found.next_steps
    rendered = syntho_ray.render_notes(syntho_ray.values_from_mapping(data), output_dir="out")
    assert "  kubectl apply -k out" in rendered.next_steps
