"""The `kubernetes` client's models, all built with one shared client configuration.

`k8s.V1Container(name=...)` is `kubernetes.client.V1Container(name=...,
local_vars_configuration=configuration())`. A model built without a configuration makes a
`Configuration()` of its own, which sets up the client's loggers and counts the CPUs: that
was most of a render's time. The builders import this module as `client`; the names are
factories, not classes, so `isinstance` checks use `kubernetes.client` (`model_class`).

The command line calls `load_models_only()` first: `import kubernetes` runs the whole client
(every API class, kubeconfig loading, the dynamic client and its schema validator, and the
HTTP client under them), most of the time of a cold `syntho-ray render`, which needs only a
few dozen models. Then each model class is loaded from its own module when first used, found
as `kubernetes.client.models` lists them, with `_ModelConfiguration` standing in for the
client's configuration module (which loads the HTTP client). A later `import kubernetes` (by
`apply`, for instance) loads the rest and reuses them. If that fails in any way, or a model
outside them is asked for, the whole client is imported as usual: slower, never different.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from importlib.util import find_spec
from pathlib import Path
from typing import Any

_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.client.models")
_CONFIGURATION = "kubernetes.client.configuration"
_IMPORT_LINE = re.compile(r"^from kubernetes\.client\.models\.(\w+) import (\w+)$", re.MULTILINE)

_models_only = False
_client: Any = None  # `kubernetes.client`, or the models one by one (`_Models`)
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
    try:
        return getattr(_models(), name)  # type: ignore[no-any-return]
    except Exception:  # not among the models loaded one by one: the whole client has it
        from kubernetes import client

        return getattr(client, name)  # type: ignore[no-any-return]


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
            _client = _Models.listed()
        if _client is None:
            from kubernetes import client

            _client = client
    return _client


class _ModelConfiguration:
    """What a model reads of the client's configuration, without the HTTP client it sets up.

    Models read `client_side_validation` (the client's default: on) and, when built without a
    configuration, call `Configuration.get_default_copy()`: the client's own once it is loaded.
    """

    client_side_validation = True

    @classmethod
    def get_default_copy(cls) -> Any:
        """The client's default configuration if the client is loaded, else one of these."""
        loaded = sys.modules.get(_CONFIGURATION)
        if loaded is not None and loaded.Configuration is not cls:
            return loaded.Configuration.get_default_copy()
        return cls()


class _Models:
    """The model classes by name, each loaded from its own module when first asked for."""

    Configuration = _ModelConfiguration

    def __init__(self, modules: dict[str, str]) -> None:
        self._modules = modules  # class name: module name

    @classmethod
    def listed(cls) -> _Models | None:
        """The models `kubernetes.client.models` lists, or None for a layout we do not know."""
        try:
            with bare_packages():
                listing = Path(sys.modules[_PACKAGES[-1]].__path__[0], "__init__.py")
                text = listing.read_text("utf-8")
        except Exception:
            return None
        modules = {name: module for module, name in _IMPORT_LINE.findall(text)}
        return cls(modules) if modules else None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._modules:
            raise AttributeError(name)
        module = f"{_PACKAGES[-1]}.{self._modules[name]}"
        if module not in sys.modules and "kubernetes" not in sys.modules:
            with bare_packages():
                importlib.import_module(module)
        model = getattr(importlib.import_module(module), name)
        setattr(self, name, model)  # found directly from now on
        return model


@contextmanager
def bare_packages(packages: tuple[str, ...] = _PACKAGES, *, models: bool = True) -> Iterator[None]:
    """The client's `packages` without their `__init__`s (and, for `models`,
    `_ModelConfiguration` for its configuration) for as long as the modules below them are
    imported; then as they were. `cluster.kubeclient` loads the client's HTTP side so."""
    added: list[str] = []
    try:
        for name in packages:
            spec = find_spec(name)
            if spec is None or spec.submodule_search_locations is None:
                raise ImportError(f"{name} is not a package")
            package = types.ModuleType(name)
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules[name] = package
            added.append(name)
        if models:
            configuration = types.ModuleType(_CONFIGURATION)
            configuration.Configuration = _ModelConfiguration  # type: ignore[attr-defined]
            sys.modules[_CONFIGURATION] = configuration
            added.append(_CONFIGURATION)
        yield
    finally:
        for name in added:
            del sys.modules[name]
