"""The `kubernetes` client's models, all built with one shared client configuration.

`k8s.V1Container(name=...)` is `kubernetes.client.V1Container(name=..., local_vars_configuration=
CONFIGURATION)`. A model built without a configuration makes a `Configuration()` of its own,
which sets up the client's loggers and counts the CPUs: that was most of a render's time. The
builders import this module as `client`; the names are factories, not classes, so `isinstance`
checks use `kubernetes.client`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from kubernetes import client

CONFIGURATION = client.Configuration()


def __getattr__(name: str) -> Any:
    model = getattr(client, name, None)
    if not (isinstance(model, type) and hasattr(model, "openapi_types")):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    factory = partial(model, local_vars_configuration=CONFIGURATION)
    globals()[name] = factory  # found directly from now on
    return factory
