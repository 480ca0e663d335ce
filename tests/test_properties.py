"""Property-based tests: valid values always render valid objects; any mutation of them either
still renders valid objects or fails with a clean, located `ValuesError`.

Objects are checked with tests/support/schema_check.py: the strict Kubernetes schemas and the
KubeRay v0.4.0 RayCluster CRD.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_runner import RUNNER
from support.schema_check import assert_valid, shared_or_skip

from syntho_ray import ValuesError, cli, render_documents, values_from_mapping
from syntho_ray.facts.guide import DUTCH, DUTCH_VALUES
from syntho_ray.values.loading import key_paths

SHARED_VOLUMES = {"ray-data", "ray-workflows"}
INT32_MAX = 2**31 - 1

pytestmark = pytest.mark.usefixtures("_crds")


@pytest.fixture(scope="module")
def _crds() -> None:
    shared_or_skip()  # the RayCluster CRD lives in ../shared


# -- Valid values ----------------------------------------------------------------------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_UPPER = _LOWER.upper()


def _name(first: str, middle: str, last: str, max_size: int) -> st.SearchStrategy[str]:
    """A name: one of `first`, then up to `max_size` of `middle`, then one of `last` if any."""
    return st.builds(
        lambda a, b, c: a + (b + c if b else c),
        st.sampled_from(first),
        st.text(middle, max_size=max_size),
        st.sampled_from(last) if last else st.just(""),
    )


# Regex-free strategies: hypothesis' from_regex is slow, and these run many times per example.
dns_label = _name(_LOWER, _LOWER + _DIGITS + "-", _LOWER + _DIGITS, 12)
# clustername: a DNS-1123 label short enough for '<name>-head-svc' (63), sometimes the longest.
cluster_names = st.one_of(
    dns_label, st.builds(lambda s: "r" + s, st.text(_LOWER + _DIGITS, min_size=53, max_size=53))
)
label_values = _name(
    _LOWER + _UPPER + _DIGITS, _LOWER + _UPPER + _DIGITS + "-_.", _LOWER + _UPPER + _DIGITS, 12
)
label_keys = st.builds(
    lambda prefix, name: prefix + name,
    st.sampled_from(["", "", "example.com/", "node.kubernetes.io/"]),
    label_values,
)
repositories = st.one_of(
    st.sampled_from(["syntho.azurecr.io/syntho-ray", "registry.internal:5000/ray/syntho-ray"]),
    st.builds(lambda host, name: f"{host}.example/{name}", dns_label, dns_label),
)
tags = st.one_of(
    st.sampled_from(["2.5.0", "1.0.0", "latest", "2.9.3-py310-gpu"]),
    _name(_LOWER + _UPPER + _DIGITS + "_", _LOWER + _UPPER + _DIGITS + "_.-", "", 16),
)
pull_policies = st.sampled_from(["Always", "IfNotPresent", "Never"])
cpus = st.one_of(st.integers(1, 64), st.sampled_from(["500m", "1", "2", "7500m", "16", "0.5"]))
memories = st.one_of(
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 256), st.sampled_from(["G", "Gi", "M"])),
    st.sampled_from(["2G", "32G", "64Gi", "512Mi"]),
)


@st.composite
def images(draw: st.DrawFn) -> dict[str, Any]:
    image: dict[str, Any] = {"repository": draw(repositories), "tag": draw(tags)}
    if draw(st.booleans()):
        image["pullPolicy"] = draw(pull_policies)
    return image


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    amounts = {"cpu": draw(cpus), "memory": draw(memories)}
    return {"limits": amounts, "requests": dict(amounts)}


@st.composite
def tolerations(draw: st.DrawFn) -> dict[str, Any]:
    toleration: dict[str, Any] = {"key": draw(label_keys)}
    if draw(st.booleans()):
        toleration |= {"operator": "Equal", "value": draw(label_values)}
    else:
        toleration["operator"] = "Exists"
    effect = draw(st.sampled_from([None, "NoSchedule", "PreferNoSchedule", "NoExecute"]))
    if effect:
        toleration["effect"] = effect
    if effect == "NoExecute" and draw(st.booleans()):
        toleration["tolerationSeconds"] = draw(st.integers(0, 86400))
    return toleration


@st.composite
def volumes_and_mounts(draw: st.DrawFn) -> dict[str, Any]:
    """Extra volumes, always given together with mounts (a list replaces the default whole)."""
    names = draw(
        st.lists(dns_label.filter(lambda n: n not in SHARED_VOLUMES), max_size=3, unique=True)
    )
    sources = [
        lambda n: {"emptyDir": {}},
        lambda n: {"emptyDir": {"sizeLimit": "1Gi"}},
        lambda n: {"configMap": {"name": n}},
        lambda n: {"secret": {"secretName": n}},
        lambda n: {"persistentVolumeClaim": {"claimName": n, "readOnly": True}},
    ]
    volumes = [{"name": n, **draw(st.sampled_from(sources))(n)} for n in names]
    mounted = draw(st.lists(st.sampled_from([*names, *sorted(SHARED_VOLUMES)]), unique=True))
    mounts: list[dict[str, Any]] = [
        {"name": n, "mountPath": f"/mnt/extra-{i}"} for i, n in enumerate(mounted)
    ]
    if draw(st.booleans()) and mounts:
        mounts[0]["readOnly"] = True
    return {"volumes": volumes, "volumeMounts": mounts}


start_param_values = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12),
    st.integers(-(2**40), 2**40),
    st.booleans(),
)
ray_start_params = st.dictionaries(
    _name(_LOWER, _LOWER + "-", _LOWER, 12), start_param_values, max_size=4
)


@st.composite
def pod_settings(draw: st.DrawFn) -> dict[str, Any]:
    """Settings the head and every worker group share; each key present or left out."""
    pod: dict[str, Any] = {"resources": draw(resources())}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "labels": st.dictionaries(label_keys, label_values, max_size=2),
        "annotations": st.dictionaries(label_keys, st.text(max_size=20), max_size=2),
        "nodeSelector": st.dictionaries(label_keys, label_values, max_size=2),
        "tolerations": st.lists(tolerations(), max_size=2),
        "rayStartParams": ray_start_params,
        "containerEnv": st.lists(
            st.builds(
                lambda name, value: {"name": name, "value": value},
                _name(_UPPER, _UPPER + _DIGITS + "_", "", 10),
                st.text(max_size=10),
            ),
            max_size=2,
            unique_by=lambda e: e["name"],
        ),
        "securityContext": st.sampled_from(
            [
                {},
                {"runAsNonRoot": True, "runAsUser": 1000},
                {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
            ]
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            pod[key] = draw(strategy)
    if draw(st.booleans()):
        pod |= draw(volumes_and_mounts())
    if draw(st.booleans()):
        pod["sidecarContainers"] = [
            {
                "name": draw(dns_label.filter(lambda n: n not in ("ray-head", "ray-worker"))),
                "image": draw(repositories) + ":" + draw(tags),
                "volumeMounts": [{"name": "ray-data", "mountPath": "/data", "readOnly": True}],
            }
        ]
    return pod


@st.composite
def bounds(draw: st.DrawFn) -> dict[str, int]:
    low = draw(st.integers(0, 5))
    high = draw(st.one_of(st.integers(low, 20), st.just(INT32_MAX)))
    replicas = draw(st.integers(low, min(high, 25)))
    return {"minReplicas": low, "maxReplicas": high, "replicas": replicas}


@st.composite
def valid_values(draw: st.DrawFn) -> dict[str, Any]:
    values: dict[str, Any] = {
        "SynthoLicense": draw(st.text(st.characters(codec="ascii", min_codepoint=33), min_size=1)),
        "clustername": draw(cluster_names),
        "image": draw(images()),
        "operatorImage": draw(images()),
        "head": draw(pod_settings()),
    }
    worker_enabled = draw(st.booleans())
    worker_name = draw(label_values)
    if worker_enabled:
        values["worker"] = {
            "disabled": False,
            "groupName": worker_name,
            **draw(bounds()),
            **draw(pod_settings()),
        }
    elif draw(st.booleans()):
        values["worker"] = {"disabled": True}
    taken = {worker_name} if worker_enabled else set()
    names = draw(st.lists(label_values.filter(lambda n: n not in taken), max_size=5, unique=True))
    if names:
        values["additionalWorkerGroups"] = {
            name: {
                "disabled": draw(st.booleans()),
                **draw(bounds()),
                **(draw(pod_settings()) if draw(st.booleans()) else {}),
            }
            for name in names
        }
    if draw(st.booleans()):  # a storage class, or PVs picked by label
        values["storage"] = {"storageClassName": draw(dns_label)}
    else:
        values["storage"] = {
            "storageClassName": "",
            "pvLabelKey": draw(label_values),
            "dataPvLabelKey": draw(label_values),
        }
    values["storage"]["accessMode"] = draw(
        st.sampled_from(["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"])
    )
    if draw(st.booleans()):
        values["storage"]["dataStorage"] = draw(st.sampled_from(["100Gi", "1Ti", "500G"]))
    values["serviceAccount"] = {"create": draw(st.booleans()), "name": draw(dns_label)}
    values["rbacEnable"] = draw(st.booleans())
    values["service"] = {
        "type": draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"])),
        "port": draw(st.integers(1, 65535)),
    }
    if draw(st.booleans()):
        values["manualSecretName"] = draw(dns_label)
    if draw(st.booleans()):
        values["head"]["init_container_enabled"] = draw(st.booleans())
    if draw(st.booleans()):
        values["head"]["enableInTreeAutoscaling"] = True
        values["head"]["autoscalerOptions"] = {
            "upscalingMode": draw(st.sampled_from(["Default", "Aggressive", "Conservative"])),
            "idleTimeoutSeconds": draw(st.integers(0, 3600)),
        }
    if draw(st.booleans()):
        values["tolerations"] = draw(st.lists(tolerations(), max_size=2))
        values["nodeSelector"] = draw(st.dictionaries(label_keys, label_values, max_size=2))
    return values


def _enabled_groups(values: dict[str, Any]) -> set[str]:
    groups = {n for n, g in values.get("additionalWorkerGroups", {}).items() if not g["disabled"]}
    worker = values.get("worker", {})
    if worker.get("disabled") is False:
        groups.add(worker["groupName"])
    return groups


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_values())
def test_valid_values_render_schema_valid_objects(values: dict[str, Any]) -> None:
    documents = render_documents(values_from_mapping(values))
    assert_valid(documents)
    [cluster] = [d for d in documents if d["kind"] == "RayCluster"]
    assert cluster["metadata"]["name"] == values["clustername"]
    groups = {g["groupName"] for g in cluster["spec"].get("workerGroupSpecs", [])}
    assert groups == _enabled_groups(values)
    kinds = {d["kind"] for d in documents}
    assert ("Secret" in kinds) == ("manualSecretName" not in values)
    assert ("Role" in kinds) == values["rbacEnable"]


# -- Mutations -------------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def _parent(data: Any, path: Path_) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 70000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=8),
    st.sampled_from(["", "true", "waar", "onwaar", "1G", "500m", "Always", "-1", "ray-data"]),
)
anything = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _typo(key: str, data: st.DataObject) -> str:
    if len(key) < 2:
        return key + "x"
    i = data.draw(st.integers(0, len(key) - 2))
    kind = data.draw(st.sampled_from(["swap", "drop", "double", "case"]))
    if kind == "swap":
        return key[:i] + key[i + 1] + key[i] + key[i + 2 :]
    if kind == "drop":
        return key[:i] + key[i + 1 :]
    if kind == "double":
        return key[:i] + key[i] + key[i:]
    return key[:i] + key[i].swapcase() + key[i + 1 :]


def _mutate(values: dict[str, Any], data: st.DataObject) -> None:
    """One random change: delete, replace, retype, misspell or translate a key."""
    paths = key_paths(values)
    path = data.draw(st.sampled_from(paths), label="path")
    parent = _parent(values, path)
    last = path[-1]
    kind = data.draw(
        st.sampled_from(["delete", "replace", "retype", "typo", "dutch-key", "dutch-value"]),
        label="mutation",
    )
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = data.draw(anything, label="value")
    elif kind == "retype":
        old = parent[last]
        parent[last] = data.draw(
            st.sampled_from([str(old), [old], {"value": old}, None, 1, True, 1.5]), label="as"
        )
    elif kind == "dutch-value":
        parent[last] = data.draw(st.sampled_from(sorted(DUTCH_VALUES)), label="value")
    elif isinstance(parent, dict):
        new = (
            _typo(str(last), data)
            if kind == "typo"
            else data.draw(st.sampled_from(sorted(DUTCH)), label="dutch")
        )
        parent[new] = parent.pop(last)


@st.composite
def mutated_values(draw: st.DrawFn) -> dict[str, Any]:
    values = copy.deepcopy(draw(valid_values()))
    data = draw(st.data())
    for _ in range(draw(st.integers(1, 3))):
        _mutate(values, data)
    return values


def _render_or_problems(values: dict[str, Any]) -> list[dict[str, Any]] | ValuesError:
    try:
        return render_documents(values_from_mapping(values))
    except ValuesError as error:
        return error


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_values())
def test_mutated_values_render_valid_objects_or_fail_cleanly(values: dict[str, Any]) -> None:
    outcome = _render_or_problems(values)
    if isinstance(outcome, ValuesError):
        assert outcome.problems
        for problem in outcome.problems:
            assert problem.path or problem.source, problem
            assert problem.message
            assert "\n" not in str(problem)
    else:
        assert_valid(outcome)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda v: v.__setitem__("wroker", v.pop("worker", {})), "did you mean 'worker'"),
        (lambda v: v.__setitem__("hoofd", v.pop("head")), "Dutch guide's word for 'head'"),
        (lambda v: v["head"].__setitem__("resources", {"limits": []}), "head.resources.limits"),
        (lambda v: v.__setitem__("clustername", "Bad_Name"), "clustername"),
    ],
)
def test_known_mutations_are_reported_at_their_key(
    mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    values: dict[str, Any] = {"clustername": "ray-a", "head": {}, "worker": {}}
    mutate(values)
    outcome = _render_or_problems(values)
    assert isinstance(outcome, ValuesError)
    assert any(expected in str(p) for p in outcome.problems), outcome.problems


def test_a_null_sidecar_mount_is_reported_not_a_crash() -> None:
    """Found by the mutation test: the mounts check met a null item of `volumeMounts`."""
    sidecar = {"name": "side", "image": "busybox:1", "volumeMounts": [None]}
    values: dict[str, Any] = {"clustername": "ray-a", "head": {"sidecarContainers": [sidecar]}}
    outcome = _render_or_problems(values)
    assert isinstance(outcome, ValuesError)
    assert [(p.path, p.message) for p in outcome.problems] == [
        ("head.sidecarContainers[0].volumeMounts[0]", "a list item cannot be null")
    ]


def test_a_null_resource_amount_drops_that_amount_as_in_helm() -> None:
    """Found by the mutation test: a worker's `limits.memory: null` was rendered as null."""
    limits = {"cpu": "8000m", "memory": None}
    worker = {"disabled": False, "resources": {"limits": limits}}
    outcome = _render_or_problems({"clustername": "ray-a", "head": {}, "worker": worker})
    assert not isinstance(outcome, ValuesError), outcome.problems
    assert_valid(outcome)
    [cluster] = [d for d in outcome if d["kind"] == "RayCluster"]
    [group] = cluster["spec"]["workerGroupSpecs"]
    resources = group["template"]["spec"]["containers"][0]["resources"]
    assert resources["limits"] == {"cpu": "8000m"}


# -- The same through the command line -------------------------------------------------------------


def _written_documents(out: Path) -> list[dict[str, Any]]:
    documents = []
    for path in sorted(out.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return documents


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(valid_values(), mutated_values()))
def test_the_command_line_renders_valid_objects_or_fails_without_writing(
    values: dict[str, Any],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        values_file = root / "values.yaml"
        values_file.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
        out = root / "out"
        result = RUNNER.invoke(cli.app, ["render", "-q", "-f", str(values_file), "-o", str(out)])
        assert "Traceback" not in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        if result.exit_code == 0:
            documents = _written_documents(out)
            assert documents
            assert_valid(documents)
        else:
            assert result.exit_code == 1, result.stderr
            errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
            assert errors, result.stderr
            assert all(line.startswith(f"error: {values_file}") for line in errors), errors
            assert not out.exists()
            assert sorted(p.name for p in root.iterdir()) == ["values.yaml"]
