"""The parts of the `kubernetes` client a cluster command uses, without the rest of it.

`import kubernetes` loads every API class and model, the dynamic client with its schema
validator and the websocket client: about a second of CPU, most of a cold `apply`'s own time
(BENCHMARKS.md). The cluster commands use only the client's configuration, its kubeconfig
and in-cluster loaders, its REST client (urllib3 under it) and its exception type. When
`kubernetes` is not loaded yet, these modules are loaded from their own files with the
packages above them standing bare (`k8s.client.bare_packages`, as the models are).

A few names these modules bind when they load serve only what a cluster command rarely does:
the client's own `ApiClient` (`new_client_from_config`), an OpenID Connect token refresh
(`requests_oauthlib`, `oauthlib.oauth2`) and a proxy (`requests.utils`). While the modules
load, each of those stands in for itself and imports the real one when first called, which
saves loading `requests` and `oauthlib` (a third of a second) on every command.

If any of this fails, the whole client is imported as usual: slower, never different. Take
the modules from `client()`, never by `import kubernetes...` (that runs the package's
`__init__`: the whole client).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

_PACKAGES = ("kubernetes", "kubernetes.client", "kubernetes.config")
_MODULES = (
    "kubernetes.client.exceptions",
    "kubernetes.client.configuration",
    "kubernetes.client.rest",
    "kubernetes.config.config_exception",
    "kubernetes.config.exec_provider",
    "kubernetes.config.kube_config",
    "kubernetes.config.incluster_config",
)
# Modules (and names in them) that stand in for themselves while `_MODULES` load.
_DEFERRED = {
    "kubernetes.client": ("ApiClient",),
    "requests": (),
    "requests.utils": ("should_bypass_proxies",),
    "requests_oauthlib": ("OAuth2Session",),
    "oauthlib.oauth2": (),
}


@dataclass(frozen=True)
class Client:
    """The client's modules a cluster command uses."""

    configuration: Any  # Configuration
    rest: Any  # RESTClientObject: urllib3's pool manager, set up from a Configuration
    exceptions: Any  # ApiException
    kube_config: Any  # load_kube_config; ExecProvider, which `credentials` replaces
    incluster_config: Any  # load_incluster_config
    config_exception: Any  # ConfigException
    exec_provider: Any


@cache
def client() -> Client:
    """The modules, loaded once: on their own, or with the whole client when it is loaded."""
    if "kubernetes" not in sys.modules and not _load_alone():
        importlib.import_module("kubernetes")
    for name in _MODULES:
        if name not in sys.modules:
            importlib.import_module(name)
    found = {name.rpartition(".")[2]: sys.modules[name] for name in _MODULES}
    return Client(**found)


def _load_alone() -> bool:
    """Load `_MODULES` without the packages' `__init__`s; False (and nothing kept) on failure."""
    from syntho_ray.k8s.client import bare_packages

    before = set(sys.modules)
    try:
        with bare_packages(_PACKAGES, models=False), _standing_in():
            configuration = importlib.import_module("kubernetes.client.configuration")
            package: Any = sys.modules["kubernetes.client"]
            package.Configuration = configuration.Configuration
            for name in _MODULES:
                importlib.import_module(name)
    except Exception:
        for name in set(sys.modules) - before:
            if name.startswith("kubernetes"):
                del sys.modules[name]
        return False
    return True


@contextmanager
def _standing_in() -> Iterator[None]:
    """`_DEFERRED`'s modules (those not loaded yet) stand in for themselves, until the end."""
    added: list[str] = []
    try:
        for module, names in _DEFERRED.items():
            stand_in = sys.modules.get(module) if module in _PACKAGES else None
            if stand_in is None:
                if module in sys.modules:
                    continue  # loaded already: the real one serves
                stand_in = sys.modules[module] = ModuleType(module)
                added.append(module)
            for name in names:
                setattr(stand_in, name, _deferred(module, name))
        yield
    finally:
        for module in added:
            del sys.modules[module]


def _deferred(module: str, name: str) -> Callable[..., Any]:
    """A stand-in for the callable `module.name` that imports the real one when called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call
