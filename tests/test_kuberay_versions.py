"""Rendering for the KubeRay release the customer runs (syntho_ray.kuberay, the per-release table).

The table is also checked against KubeRay's source at each release: the ray-operator module from
the Go module cache, or KUBERAY_SOURCE (a ray-project/kuberay git directory) when set.
"""

from __future__ import annotations

import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from support import builders
from support.schema_check import REFERENCE_CASES, assert_valid, shared_or_skip

from syntho_ray import Release, ValuesError, ValuesInput, load_values, values_from_mapping
from syntho_ray.facts import kuberay
from syntho_ray.notes import next_steps, ray_address, warnings
from syntho_ray.output.kustomize import directory_files
from syntho_ray.output.stream import dump_yaml
from syntho_ray.render import render_documents, resolved_values

SNAPSHOTS = builders.SNAPSHOTS / "kuberay"
CASES = REFERENCE_CASES
GO_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
GO_FALSE = {"0", "f", "F", "FALSE", "false", "False"}
LICENSED: dict[str, Any] = {"SynthoLicense": "k"}


class FlagError(Exception):
    """What Go's flag package reports before the operator exits with code 2."""


def go_parse(args: list[str], defined: dict[str, bool]) -> dict[str, str]:
    """Parse `args` as Go's `flag.CommandLine` would; every argument must be a flag it reads.

    Go stops at the first argument that is not a flag and silently ignores the rest, so a
    leftover argument is an error here too.
    """
    parsed: dict[str, str] = {}
    rest = list(args)
    while rest and len(rest[0]) > 1 and rest[0].startswith("-") and rest[0] != "--":
        arg = rest.pop(0)
        name, has_value, value = (arg[2:] if arg.startswith("--") else arg[1:]).partition("=")
        if not name or name.startswith(("-", "=")):
            raise FlagError(f"bad flag syntax: {name}")
        if name not in defined:
            raise FlagError(f"flag provided but not defined: -{name}")
        if defined[name]:
            if has_value and value not in GO_TRUE | GO_FALSE:
                raise FlagError(f"invalid boolean value {value!r} for -{name}")
            value = value if has_value else "true"
        elif not has_value:
            if not rest:
                raise FlagError(f"flag needs an argument: -{name}")
            value = rest.pop(0)
        parsed[name] = value
    if rest:
        raise FlagError(f"Go stops here and ignores the rest: {rest}")
    return parsed


def _documents(data: dict[str, Any], release: Release | None = None) -> list[dict[str, Any]]:
    return render_documents(values_from_mapping(LICENSED | data), release or Release())


def _find(documents: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(d for d in documents if d["kind"] == kind)


def _command(data: dict[str, Any], release: Release | None = None) -> list[str]:
    deployment = _find(_documents(data, release), "Deployment")
    command: list[str] = deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    return command


def _at_least(version: str, since: str) -> bool:
    return kuberay.parse(version) >= kuberay.parse(since)


def _settings(version: str) -> list[dict[str, Any]]:
    """Values using every operator setting the release has."""
    settings: list[dict[str, Any]] = [
        {},
        {"leaderElectionEnabled": False},
        {"batchScheduler": {"enabled": True}},
    ]
    if _at_least(version, "0.5.2"):
        settings.append({"watchNamespace": ["syntho", "team-b"]})
    if gates := kuberay.gate_names(version):
        settings.append({"featureGates": [{"name": g, "enabled": True} for g in gates]})
    settings += [{"batchScheduler": {"name": name}} for name in kuberay.scheduler_names(version)]
    return settings


# -- the table ------------------------------------------------------------------------------


def test_every_release_from_0_4_0_to_1_7_is_in_the_table() -> None:
    versions = [kuberay.parse(v) for v in kuberay.RELEASES]
    assert versions == sorted(versions)
    assert kuberay.RELEASES[0] == "0.4.0"
    assert kuberay.RELEASES[-1].startswith("1.7.")


def test_every_row_names_releases_of_the_table() -> None:
    tables: list[Any] = [kuberay.FLAGS, kuberay.RULES, kuberay.GATES, kuberay.SCHEDULERS]
    for row in [r for table in tables for r in table]:
        assert row.since in kuberay.RELEASES, row
        assert row.until is None or row.until in kuberay.RELEASES, row


@pytest.mark.parametrize("version", kuberay.RELEASES)
def test_operator_command_parses_with_the_releases_flag_set(version: str) -> None:
    for settings in _settings(version):
        command = _command({"kuberay": {"version": version}} | settings)
        assert command[0] == "/manager"
        assert all(arg.startswith("--") and "=" in arg for arg in command[1:])
        assert go_parse(command[1:], kuberay.flags(version))["watch-namespace"]


def test_the_flag_parser_refuses_a_flag_the_release_lacks() -> None:
    # kuberay#3657: the 1.4 chart's --enable-metrics made a v1.3.2 operator exit.
    with pytest.raises(FlagError, match="not defined: -enable-metrics"):
        go_parse(["--enable-metrics=true"], kuberay.flags("1.3.2"))
    # The chart's own command: Go stops at `true` and ignores what follows.
    with pytest.raises(FlagError, match="ignores the rest"):
        go_parse(
            ["-watch-namespace", "syntho", "-forced-cluster-upgrade", "true", "--x"],
            kuberay.flags("0.4.0"),
        )


def test_defaults_keep_the_charts_command() -> None:
    assert _command({}) == ["/manager", "--watch-namespace=syntho", "--forced-cluster-upgrade=true"]


def test_forced_cluster_upgrade_is_left_out_where_it_has_no_effect() -> None:
    assert "--forced-cluster-upgrade=true" in _command({"kuberay": {"version": "1.1.1"}})
    assert not any("forced" in a for a in _command({"kuberay": {"version": "1.2.0"}}))


def test_operator_settings_of_1_x_become_flags() -> None:
    command = _command(
        {
            "kuberay": {"version": "1.2.2"},
            "watchNamespace": ["syntho", "team-b"],
            "leaderElectionEnabled": False,
            "batchScheduler": {"name": "yunikorn"},
            "featureGates": [{"name": "RayClusterStatusConditions", "enabled": True}],
        }
    )
    assert command == [
        "/manager",
        "--watch-namespace=syntho,team-b",
        "--batch-scheduler=yunikorn",
        "--enable-leader-election=false",
        "--feature-gates=RayClusterStatusConditions=true",
    ]


def test_a_removed_flag_is_never_written() -> None:
    with pytest.raises(ValueError, match="no flag --version"):
        kuberay.flag("1.1.0", "version", "true")
    assert "prioritize-workers-to-delete" not in kuberay.flags("0.6.0")


# -- what the values may ask of a release ----------------------------------------------------


def test_an_unsupported_release_is_refused_with_the_supported_ones() -> None:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping({"kuberay": {"version": "1.8.0"}})
    (line,) = caught.value.lines()
    assert line.startswith("values: kuberay.version: not one of the KubeRay releases 0.4.0, ")
    assert "1.7.0" in line and "(got '1.8.0')" in line


def test_a_v_prefixed_release_is_read_as_the_release() -> None:
    assert values_from_mapping({"kuberay": {"version": "v1.2.2"}}).kuberay_release == "1.2.2"
    assert values_from_mapping({}).kuberay_release == "0.4.0"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"kuberay": {"version": "1.2.1"}, "batchScheduler": {"name": "volcano"}},
            "values: batchScheduler.name: KubeRay 1.2.1 has no --batch-scheduler (from 1.2.2); "
            "use enabled (got 'volcano')",
        ),
        (
            {"kuberay": {"version": "1.3.2"}, "batchScheduler": {"name": "kai-scheduler"}},
            "values: batchScheduler.name: KubeRay 1.3.2 knows the batch schedulers volcano, "
            "yunikorn (got 'kai-scheduler')",
        ),
        (
            {
                "kuberay": {"version": "1.2.2"},
                "batchScheduler": {"name": "volcano", "enabled": True},
            },
            "values: batchScheduler.name: set either batchScheduler.enabled or "
            "batchScheduler.name, not both (got 'volcano')",
        ),
        (
            {"kuberay": {"version": "0.5.0"}, "watchNamespace": ["a", "b"]},
            "values: watchNamespace: KubeRay 0.5.0 watches one namespace (a list from 0.5.2)",
        ),
        (
            {"kuberay": {"version": "1.1.0"}, "featureGates": [{"name": "X", "enabled": True}]},
            "values: featureGates[0].name: KubeRay 1.1.0 has none (from 1.2.0) (got 'X')",
        ),
        (
            {
                "kuberay": {"version": "1.2.2"},
                "featureGates": [{"name": "RayCronJob", "enabled": True}],
            },
            "values: featureGates[0].name: KubeRay 1.2.2's gates are RayClusterStatusConditions "
            "(got 'RayCronJob')",
        ),
        (
            {"head": {"headService": {"metadata": {"name": "ray-head"}}}},
            "values: head.headService: KubeRay 0.4.0 has no headService (from 0.5.2)",
        ),
    ],
)
def test_a_setting_the_release_lacks_is_refused_at_its_key(
    data: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValuesError) as caught:
        values_from_mapping(data)
    assert caught.value.lines() == [expected]


def test_a_problem_is_located_in_the_file_that_set_it(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("kuberay:\n  version: 1.2.1\nbatchScheduler:\n  name: yunikorn\n")
    with pytest.raises(ValuesError) as caught:
        load_values(ValuesInput(files=[str(path)]))
    (line,) = caught.value.lines()
    assert line.startswith(f"{path}:4: batchScheduler.name: KubeRay 1.2.1 has no")


# -- the RayCluster and its CRD --------------------------------------------------------------


@pytest.mark.parametrize("version", kuberay.RELEASES)
def test_raycluster_validates_against_the_crd_of_its_api_version(version: str) -> None:
    data: dict[str, Any] = {
        "kuberay": {"version": version},
        "worker": {"disabled": False},
        "head": {"enableInTreeAutoscaling": True},
    }
    v1 = _at_least(version, "1.0.0")
    if v1:
        data["head"]["headService"] = {"metadata": {"annotations": {"team": "ray"}}}
    cluster = _find(_documents(data), "RayCluster")
    assert cluster["apiVersion"] == ("ray.io/v1" if v1 else "ray.io/v1alpha1")
    assert_valid([cluster], kuberay_version="v1.2.2" if v1 else "v0.4.0")


def test_head_service_of_0_5_2_validates_against_v1alpha1() -> None:
    data = {"kuberay": {"version": "0.5.2"}, "head": {"headService": {"metadata": {"name": "h"}}}}
    cluster = _find(_documents(data), "RayCluster")
    assert cluster["apiVersion"] == "ray.io/v1alpha1"
    assert_valid([cluster], kuberay_version="v1.2.2")  # its v1alpha1 has headService, as 0.5.2


@pytest.mark.parametrize("case", CASES)
def test_every_case_validates_against_the_1_2_2_crds_with_kuberay_1_2_2(case: str) -> None:
    path = shared_or_skip() / "reference" / "cases" / f"{case}.yaml"
    given = ValuesInput(files=[str(path)], set_values=["kuberay.version=1.2.2"])
    documents = render_documents(load_values(given))
    assert _find(documents, "RayCluster")["apiVersion"] == "ray.io/v1"
    assert_valid(documents, kuberay_version="v1.2.2")


def test_head_service_type_and_overrides_reach_the_head_group() -> None:
    data = {
        "kuberay": {"version": "1.2.2"},
        "service": {"type": "ClusterIP"},
        "head": {
            "serviceType": "LoadBalancer",
            "headService": {"metadata": {"name": "ray-head", "annotations": {"a": "b"}}},
        },
    }
    documents = _documents(data)
    head = _find(documents, "RayCluster")["spec"]["headGroupSpec"]
    assert head["serviceType"] == "LoadBalancer"
    assert head["headService"] == {"metadata": {"annotations": {"a": "b"}, "name": "ray-head"}}
    assert _find(documents, "Service")["spec"]["type"] == "ClusterIP"
    values = values_from_mapping(data)
    assert (
        ray_address(resolved_values(values), Release())
        == "ray://ray-head.syntho.svc.cluster.local:10001"
    )
    assert_valid(documents, kuberay_version="v1.2.2")


# -- RBAC ------------------------------------------------------------------------------------


def _role(data: dict[str, Any], namespace: str = "syntho") -> dict[str, Any]:
    return next(
        d
        for d in _documents(data)
        if d["kind"] == "Role"
        and d["metadata"]["name"] == "kuberay-operator"
        and d["metadata"]["namespace"] == namespace
    )


def test_the_1_x_operator_gets_the_rules_it_needs() -> None:
    rules = builders.rule_set(_role({"kuberay": {"version": "1.2.2"}}))
    assert {
        ("", "endpoints", "watch"),
        ("", "pods/proxy", "get"),
        ("", "services/proxy", "create"),
        ("batch", "jobs", "create"),
        ("coordination.k8s.io", "leases", "update"),
        ("route.openshift.io", "routes", "create"),
    } <= rules
    chart = builders.rule_set(_role({}))
    assert chart < rules
    assert not any(group in ("batch", "route.openshift.io") for group, _, _ in chart)


def test_rules_follow_the_release() -> None:
    assert ("", "endpoints", "list") not in builders.rule_set(
        _role({"kuberay": {"version": "1.6.0"}})
    )
    seven = builders.rule_set(_role({"kuberay": {"version": "1.7.0"}}))
    assert ("events.k8s.io", "events", "create") in seven
    assert ("", "persistentvolumeclaims", "create") in seven


def test_batch_schedulers_get_their_rules() -> None:
    volcano = builders.rule_set(
        _role({"kuberay": {"version": "1.2.2"}, "batchScheduler": {"name": "volcano"}})
    )
    assert ("scheduling.volcano.sh", "podgroups", "create") in volcano
    plugins = {"kuberay": {"version": "1.4.0"}, "batchScheduler": {"name": "scheduler-plugins"}}
    assert ("scheduling.x-k8s.io", "podgroups", "watch") in builders.rule_set(_role(plugins))


def test_every_watched_namespace_gets_the_role_and_binding() -> None:
    data = {"kuberay": {"version": "1.2.2"}, "watchNamespace": ["team-a", "team-b"]}
    documents = _documents(data)
    places = {(d["kind"], d["metadata"]["namespace"]) for d in documents if "Role" in d["kind"]}
    assert places >= {
        (kind, namespace)
        for kind in ("Role", "RoleBinding")
        for namespace in ("syntho", "team-a", "team-b")
    }
    binding = next(
        d
        for d in documents
        if d["kind"] == "RoleBinding" and d["metadata"]["namespace"] == "team-b"
    )
    assert binding["subjects"][0]["namespace"] == "syntho"
    assert "--watch-namespace=team-a,team-b" in _command(data)


def test_a_directory_with_several_namespaces_keeps_each_object_in_its_own() -> None:
    data = {"kuberay": {"version": "1.2.2"}, "watchNamespace": ["syntho", "team-b"]}
    files = directory_files(_documents(data), "syntho", "1.2.2")
    assert "role-kuberay-operator.team-b.yaml" in files
    assert "role-kuberay-operator.yaml" in files
    assert "namespace" not in yaml.safe_load("".join(files["kustomization.yaml"][0]))


# -- CRDs, notes and warnings ----------------------------------------------------------------


def test_the_crds_directory_points_at_the_release() -> None:
    values = values_from_mapping({"kuberay": {"version": "1.2.2"}})
    files = directory_files(render_documents(values), "syntho", values.kuberay_release)
    crds = yaml.safe_load("".join(files["crds/kustomization.yaml"][0]))
    assert crds["resources"] == [
        "https://github.com/ray-project/kuberay/ray-operator/config/crd?ref=v1.2.2"
    ]
    assert any("crd?ref=v1.2.2" in line for line in next_steps(values, Release(), None))


@pytest.mark.parametrize(
    ("tag", "version", "warned"),
    [
        ("1.4.0", "1.2.2", True),
        ("v1.2.2", "1.2.2", False),
        ("1.2.0", "1.2.2", False),
        ("1.0.0", None, True),
        ("latest", "1.2.2", False),
        ("2.9.3-syntho", "1.2.2", True),
    ],
)
def test_an_operator_tag_of_another_release_warns(
    tag: str, version: str | None, warned: bool
) -> None:
    data: dict[str, Any] = LICENSED | {"operatorImage": {"tag": tag}}
    if version:
        data["kuberay"] = {"version": version}
    found = [w for w in warnings(values_from_mapping(data), data) if "kuberay.version" in w]
    assert bool(found) == warned


def test_custom_1_2_2_render_matches_snapshot(snapshot: Any) -> None:
    snapshot.snapshot_dir = SNAPSHOTS
    data = {
        "kuberay": {"version": "1.2.2"},
        "operatorImage": {"tag": "v1.2.2"},
        "watchNamespace": ["syntho", "team-b"],
        "leaderElectionEnabled": True,
        "batchScheduler": {"name": "volcano"},
        "worker": {"disabled": False},
        "head": {"serviceType": "NodePort"},
    }
    snapshot.assert_match(dump_yaml(_documents(data)), "1.2.2-custom.yaml")


# -- against the KubeRay source ------------------------------------------------------------------
# Read from the Go module cache (`go mod download` of the ray-operator module, through
# tests/e2e/build.py), or from KUBERAY_SOURCE, a ray-project/kuberay git directory, when set.
# The module proxy serves the releases tagged for the ray-operator subdirectory; the others
# (0.4.0, 0.5.2, 1.2.0) skip with the proxy's answer unless KUBERAY_SOURCE is set.

SOURCE = os.environ.get("KUBERAY_SOURCE")
_FLAG_CALL = re.compile(r'flag\.(\w+)Var\(\s*&[\w.]+,\s*"([\w-]+)"')
_GATE = re.compile(r"^\s*(\w+):\s*\{Default:", re.MULTILINE)


@cache
def _module_dir(version: str) -> Path | str:
    """The ray-operator module's folder at `version`, or why it cannot be had."""
    from e2e import build as e2e_build

    if e2e_build.go_binary() is None:
        return "Go is not installed (needed to read KubeRay's source from the module proxy)"
    try:
        return e2e_build.kuberay_source(version)
    except RuntimeError as error:
        return f"KubeRay v{version} is not served by the Go module proxy: {error}"


def _show(version: str, path: str) -> str:
    """A file of the ray-operator tree (`ray-operator/...`) at release `version`."""
    if SOURCE:
        command = ["git", f"--git-dir={SOURCE}", "show", f"v{version}:{path}"]
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout
    found = _module_dir(version)
    if isinstance(found, str):
        pytest.skip(f"{found}; set KUBERAY_SOURCE to a kuberay git directory")
    file = found / path.removeprefix("ray-operator/")
    return file.read_text(encoding="utf-8") if file.is_file() else ""  # as git show: none


@pytest.mark.parametrize("version", kuberay.RELEASES)
def test_flags_equal_main_go(version: str) -> None:
    found = {
        n: kind == "Bool" for kind, n in _FLAG_CALL.findall(_show(version, "ray-operator/main.go"))
    }
    assert found == kuberay.flags(version)


@pytest.mark.parametrize("version", kuberay.RELEASES)
def test_gates_equal_features_go(version: str) -> None:
    text = _show(version, "ray-operator/pkg/features/features.go")
    block = text.partition("defaultFeatureGates = ")[2].partition("\n}")[0]
    assert _GATE.findall(block) == kuberay.gate_names(version)


@pytest.mark.parametrize("version", kuberay.RELEASES)
def test_role_grants_what_config_rbac_asks(version: str) -> None:
    needed: set[builders.Rule] = set()
    for name in ("role.yaml", "leader_election_role.yaml"):
        for document in yaml.safe_load_all(_show(version, f"ray-operator/config/rbac/{name}")):
            needed |= builders.rule_set(
                {
                    "rules": [
                        r | {"apiGroups": r.get("apiGroups", [""])}
                        for r in (document or {}).get("rules", [])
                    ]
                }
            )
    granted = builders.rule_set(_role({"kuberay": {"version": version}}))
    assert needed - granted == set()


@pytest.mark.parametrize("version", kuberay.RELEASES)
def test_raycluster_validates_against_the_releases_own_crd(version: str) -> None:
    crd = yaml.safe_load(_show(version, "ray-operator/config/crd/bases/ray.io_rayclusters.yaml"))
    stored = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    cluster = _find(
        _documents({"kuberay": {"version": version}, "worker": {"disabled": False}}), "RayCluster"
    )
    assert cluster["apiVersion"] == f"ray.io/{stored['name']}"
    schema = stored["schema"]["openAPIV3Schema"]
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(cluster)]
    assert errors == []
