"""The Syntho license: a Secret the Ray pods read, never a literal in a pod spec."""

from __future__ import annotations

import base64
import re
from typing import Any

from syntho_ray.build.naming import Release, metadata
from syntho_ray.build.resolved import Resolved
from syntho_ray.k8s import client
from syntho_ray.values.model import Values

SECRET_NAME = "ray-secret"
SECRET_KEY = "license_key"
ENV_NAME = "LICENSE_KEY_SIGNED"
PLACEHOLDER = "<put-your-own-license>"
# Text a guide, a template or a person puts where the key goes: <...>, [...], {{...}}, ${...},
# nothing but x's, dots or stars, or words (English or Dutch) such as YOUR_LICENSE_KEY.
_TEMPLATE = re.compile(r"^\s*(<.*>|\[.*\]|\{\{.*\}\}|\$\{.*\}|%.*%)\s*$", re.S)
_FILLER = re.compile(r"^[xX*.#?_-]*$")
_TELLING_WORDS = {
    *("your", "jouw", "uw", "here", "hier", "insert", "replace", "replaceme", "vervang"),
    *("changeme", "placeholder", "example", "voorbeeld", "dummy", "todo", "fixme", "tbd"),
}
_NAMING_WORDS = {"my", "mijn", "syntho", "license", "licence", "licentie", "key", "sleutel"}


def looks_like_placeholder(text: str) -> bool:
    """Does the license look like the placeholder of a guide or template, not a key?"""
    if _TEMPLATE.match(text) or _FILLER.match(text):
        return True
    words = {w.lower() for w in re.split(r"[^A-Za-z0-9]+", text) if w}
    return bool(words & _TELLING_WORDS) or words <= _NAMING_WORDS


def secret_name(values: Values) -> str:
    """The Secret the pods read: manualSecretName, else the rendered `ray-secret`."""
    return values.manual_secret_name or SECRET_NAME


def license_env(values: Values) -> client.V1EnvVar:
    """`LICENSE_KEY_SIGNED` from the license Secret."""
    return client.V1EnvVar(
        name=ENV_NAME,
        value_from=client.V1EnvVarSource(
            secret_key_ref=client.V1SecretKeySelector(name=secret_name(values), key=SECRET_KEY)
        ),
    )


def secret(values: Values, release: Release) -> client.V1Secret:
    """`ray-secret` holding the license under `license_key`."""
    encoded = base64.b64encode(values.syntho_license.encode()).decode()
    return client.V1Secret(
        api_version="v1",
        kind="Secret",
        type="Opaque",
        metadata=metadata(SECRET_NAME, values, release),
        data={SECRET_KEY: encoded},
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The license Secret, unless the user manages their own (manualSecretName)."""
    values = resolved.values
    return [] if values.manual_secret_name else [secret(values, release)]
