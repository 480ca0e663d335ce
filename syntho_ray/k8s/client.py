"""The `kubernetes` client's models, all built with one shared client configuration.

`k8s.V1Container(name=...)` is `kubernetes.client.V1Container(name=...,
local_vars_configuration=configuration())`. A model built without a configuration makes a
`Configuration()` of its own, which sets up the client's loggers and counts the CPUs: that
was most of a render's time. The builders import this module as `client`; the names are
factories, not classes, so `isinstance` checks use `kubernetes.client` (`model_class`).

The command line calls `load_models_only()` first: `import kubernetes` runs the whole client
(every API class, kubeconfig loading, the dynamic client and its schema validator), about
four fifths of the time of a cold `syntho-ray render`, which needs only the models. Then the
model classes are loaded from their own modules, found as `kubernetes.client.models`
lists them, and nothing else; a later `import kubernetes` (by `apply`, for instance) loads
the rest and reuses them. If that fails in any way, or a model outside them is asked for,
the whole client is imported as usual: slower, never different.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from functools import partial
from importlib.util import find_spec
from pathlib import Path
from typing import Any

_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.client.models")
# What a render builds; every model these refer to is loaded with them.
_ROOTS = (
    "V1Namespace",
    "V1ServiceAccount",
    "V1Secret",
    "V1PersistentVolumeClaim",
    "V1Role",
    "V1RoleBinding",
    "RbacV1Subject",
    "V1Service",
    "V1Deployment",
    "V1PodTemplateSpec",
)
_IMPORT_LINE = re.compile(r"^from kubernetes\.client\.models\.(\w+) import (\w+)$", re.MULTILINE)
_INNER_TYPE = re.compile(r"^(?:list\[(.+)\]|dict\(str, (.+)\))$")

_models_only = False
_client: Any = None  # `kubernetes.client`, or a namespace of the models only
_configuration: Any = None


def load_models_only() -> None:
    """Load only the model classes, not the whole client, unless `kubernetes` is loaded."""
    global _models_only
    _models_only = True


def configuration() -> Any:
    """The client configuration every model we build shares."""
    global _configuration
    if _configuration is None:
        _configuration = _models().Configuration()
    return _configuration


def model_class(name: str) -> type[Any]:
    """The class `kubernetes.client.<name>`."""
    found = getattr(_models(), name, None)
    if found is None:  # outside what was loaded: the whole client has it
        from kubernetes import client

        found = getattr(client, name)
    return found  # type: ignore[no-any-return]


def __getattr__(name: str) -> Any:
    model: Any = model_class(name) if name[:1].isupper() else None
    if not (isinstance(model, type) and hasattr(model, "openapi_types")):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    factory = partial(model, local_vars_configuration=configuration())
    globals()[name] = factory  # found directly from now on
    return factory


def _models() -> Any:
    global _client
    if _client is None:
        if _models_only and "kubernetes" not in sys.modules:
            _client = _load_models()
        if _client is None:
            from kubernetes import client

            _client = client
    return _client


def _load_models() -> Any:
    """A namespace of the models `_ROOTS` need and `Configuration`, or None if that fails."""
    added: list[str] = []
    try:
        for name in _PACKAGES:  # bare packages: their submodules load without the __init__s
            spec = find_spec(name)
            if spec is None or spec.submodule_search_locations is None:
                return None
            package = types.ModuleType(name)
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules[name] = package
            added.append(name)
        listing = Path(sys.modules[_PACKAGES[-1]].__path__[0], "__init__.py")
        modules = {cls: mod for mod, cls in _IMPORT_LINE.findall(listing.read_text("utf-8"))}
        found: dict[str, Any] = {}
        todo = list(_ROOTS)
        while todo:
            name = todo.pop()
            if name in found:
                continue
            module = importlib.import_module(f"kubernetes.client.models.{modules[name]}")
            found[name] = model = getattr(module, name)
            for type_name in model.openapi_types.values():
                while match := _INNER_TYPE.match(type_name):
                    type_name = match[1] or match[2]
                if type_name in modules:
                    todo.append(type_name)
        configuration = importlib.import_module("kubernetes.client.configuration")
        return types.SimpleNamespace(**found, Configuration=configuration.Configuration)
    except Exception:  # a layout we do not know: import the whole client instead
        return None
    finally:
        for name in added:
            del sys.modules[name]
