"""Schema checks for rendered Kubernetes objects, for use in tests.

Core kinds are checked against kubernetes-validate's strict JSON schemas, RayClusters against
the KubeRay CRDs in ``../shared/kuberay/``. Every problem is collected, not just the first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing import Registry, Resource

SHARED: Path = (Path(__file__).resolve().parents[2] / ".." / "shared").resolve()
LATEST_KUBERNETES: str = kubernetes_validate.latest_version()
# The names of the chart 1.13 reference cases under ../shared/reference/cases/ (none without it).
REFERENCE_CASES = (
    sorted(p.stem for p in (SHARED / "reference" / "cases").glob("*.yaml"))
    if SHARED.is_dir()
    else []
)

UNDECLARED = "field not declared by the CRD; the API server would drop it"
_DEFINITIONS = "https://kubernetes.io/api/_definitions.json"
_SCHEMAS = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"


def shared_or_skip() -> Path:
    """Return SHARED, or skip the calling test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(
            f"../shared not found: {SHARED} (the KubeRay CRDs and the reference live there)"
        )
    return SHARED


@cache
def _served_schemas(kuberay_version: str) -> dict[str, dict[str, Any]]:
    """openAPIV3Schema of each served version of the RayCluster CRD, by apiVersion."""
    path = shared_or_skip() / "kuberay" / kuberay_version / "ray.io_rayclusters.yaml"
    crd = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    group = crd["spec"]["group"]
    return {
        f"{group}/{v['name']}": v["schema"]["openAPIV3Schema"]
        for v in crd["spec"]["versions"]
        if v.get("served")
    }


def crd_schema(kuberay_version: str, api_version: str) -> dict[str, Any]:
    """openAPIV3Schema of the RayCluster CRD of that KubeRay release for a served apiVersion.

    Cached and shared between callers: do not mutate it.
    """
    served = _served_schemas(kuberay_version)
    if api_version not in served:
        raise ValueError(
            f"the KubeRay {kuberay_version} CRD does not serve {api_version}"
            f" (it serves {', '.join(served)})"
        )
    return served[api_version]


def _required(
    validator: Validator, required: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """'required', reported at the missing key, and also failing for a key holding []."""
    if validator.is_type(instance, "object"):
        for key in required:
            if key not in instance:
                yield ValidationError("required but missing", path=[key], validator="required")
            elif instance[key] == []:
                yield ValidationError(
                    "required but empty", path=[key], instance=[], validator="required"
                )


def _properties(
    validator: Validator, properties: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """'properties', and every key a closed (structural) CRD schema node does not declare."""
    yield from jsonschema.Draft7Validator.VALIDATORS["properties"](
        validator, properties, instance, schema
    )
    closed = "additionalProperties" not in schema and not schema.get(
        "x-kubernetes-preserve-unknown-fields"
    )
    if closed and validator.is_type(instance, "object"):
        for key in instance.keys() - properties.keys():
            yield ValidationError(
                UNDECLARED, path=[key], instance=instance[key], validator="undeclared"
            )


def _int_format(bits: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return not isinstance(value, int) or -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)

    return check


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("int32")(_int_format(32))
_FORMATS.checks("int64")(_int_format(64))

_CrdValidator = jsonschema.validators.extend(
    jsonschema.Draft7Validator,
    {"required": _required, "properties": _properties},
)
_CoreValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {"required": _required},
)


@cache
def _schema_dir(kubernetes_version: str) -> Path:
    """kubernetes-validate's strict schemas for the newest release not newer than the one asked."""
    wanted = tuple(int(n) for n in kubernetes_version.removeprefix("v").split(".")[:2])
    dirs = {
        tuple(int(n) for n in d.name[1:].split("-")[0].split(".")[:2]): d
        for d in _SCHEMAS.glob("v*-local-strict")
    }
    fitting = [v for v in dirs if v <= wanted]
    if not fitting or wanted > max(dirs):
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {kubernetes_version}")
    return dirs[max(fitting)]


@cache
def _registry(kubernetes_version: str) -> Registry[Any]:
    """The shared definitions (1.8 MB of JSON) of one Kubernetes release, loaded once."""
    defs = json.loads((_schema_dir(kubernetes_version) / "_definitions.json").read_text())
    return Registry().with_resources([(_DEFINITIONS, Resource.from_contents(defs))])


@cache
def _core_validator(kubernetes_version: str, api_version: str, kind: str) -> Validator | None:
    """Strict validator for one core kind, built as kubernetes_validate.validate builds it."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    path = _schema_dir(kubernetes_version) / f"{kind.lower()}-{group_version}.json"
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())
    own = (schema["$id"], Resource.from_contents(schema))
    registry = _registry(kubernetes_version).with_resources([own])
    return _CoreValidator(schema, registry=registry, format_checker=_FORMATS)


@cache
def _metadata_validator(kubernetes_version: str) -> Validator:
    """Validates an object's metadata as ObjectMeta (used where the CRD leaves it open)."""
    meta = {"$ref": f"{_DEFINITIONS}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}
    schema = {"type": "object", "properties": {"metadata": meta}}
    return _CoreValidator(schema, registry=_registry(kubernetes_version), format_checker=_FORMATS)


@cache
def _crd_validator(kuberay_version: str, api_version: str) -> Validator:
    return _CrdValidator(crd_schema(kuberay_version, api_version), format_checker=_FORMATS)


def _json_path(parts: Iterable[str | int]) -> str:
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][\w-]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nulls(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nulls(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nulls(item, (*path, index))


def _accepted_types(errors: Iterable[ValidationError]) -> str:
    """What 'type' errors (one, or the branches of a union) accept, null aside."""
    names: list[str] = []
    for error in errors:
        value = error.validator_value
        names += [t for t in (value if isinstance(value, list) else [value]) if t != "null"]
    return " or ".join(dict.fromkeys(names))


def _schema_problems(validator: Validator, obj: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(json path, message) for each schema error; errors on a null are left to the null check."""
    for error in validator.iter_errors(obj):
        if error.instance is None:
            continue
        path = list(error.absolute_path)
        union = error.validator in ("anyOf", "oneOf")
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            for key in error.instance.keys() - error.schema.get("properties", {}).keys():
                yield _json_path([*path, key]), "unknown field (not in the Kubernetes schema)"
        elif error.validator == "type" or (
            union and error.context and all(e.validator == "type" for e in error.context)
        ):
            types = _accepted_types(error.context if union else [error])
            yield _json_path(path), f"{_short(error.instance)} is not of type {types}"
        elif error.validator == "format":
            message = f"{_short(error.instance)} is out of range for {error.validator_value}"
            yield _json_path(path), message
        else:
            yield _json_path(path), error.message.replace("\n", " ")


def problems(
    obj: dict[str, Any],
    *,
    kuberay_version: str = "v0.4.0",
    kubernetes_version: str = LATEST_KUBERNETES,
) -> list[str]:
    """Every problem with one rendered object as '<Kind>/<name>: <json path>: <what>'; [] = valid.

    Nulls anywhere; core kinds against kubernetes-validate's strict schemas; a RayCluster against
    the KubeRay CRD's openAPIV3Schema (types, required keys, and keys the CRD does not declare),
    its metadata against ObjectMeta. A required key holding [] is a problem in both.
    """
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    label = f"{obj.get('kind', '<no kind>')}/{name or '<no name>'}"
    found: list[tuple[str, str]] = [(_json_path(p), "null value") for p in _nulls(obj)]
    if not isinstance(name, str) or not name:
        found.append(("$.metadata.name", "missing: every object needs a name"))

    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        found.append(("$", "apiVersion and kind must both be strings"))
    elif api_version.split("/")[0] == "ray.io":
        if kind != "RayCluster":
            found.append(("$.kind", f"no CRD schema for {api_version} {kind}"))
        elif api_version not in _served_schemas(kuberay_version):
            served = ", ".join(_served_schemas(kuberay_version))
            message = f"{api_version} is not served by the KubeRay {kuberay_version} CRD ({served})"
            found.append(("$.apiVersion", message))
        else:
            if "spec" not in obj:
                found.append(("$.spec", "required but missing"))
            found += _schema_problems(_crd_validator(kuberay_version, api_version), obj)
            found += _schema_problems(_metadata_validator(kubernetes_version), obj)
    else:
        validator = _core_validator(kubernetes_version, api_version, kind)
        if validator is None:
            message = f"no schema for {api_version} {kind} in Kubernetes {kubernetes_version}"
            found.append(("$.kind", message))
        else:
            found += _schema_problems(validator, obj)
    return [f"{label}: {path}: {message}" for path, message in sorted(found)]


def assert_valid(objs: Iterable[dict[str, Any]], **kw: str) -> None:
    """Raise AssertionError listing every problem of every object (kw go to problems())."""
    found = [problem for obj in objs for problem in problems(obj, **kw)]
    if found:
        raise AssertionError(f"{len(found)} schema problem(s):\n" + "\n".join(found))
