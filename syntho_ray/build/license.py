"""The Syntho license: a Secret the Ray pods read, never a literal in a pod spec."""

from __future__ import annotations

import base64
import re
from typing import Any

from syntho_ray.build.naming import Release, common_labels, metadata
from syntho_ray.k8s import client
from syntho_ray.resolve.resolved import LICENSE_ENV, SECRET_KEY, SECRET_NAME, Resolved

ENV_NAME = LICENSE_ENV
PLACEHOLDER = "<put-your-own-license>"  # chart 1.13's
PLACEHOLDER_114 = "<license-key>"  # chart 1.14's
__all__ = ["ENV_NAME", "SECRET_KEY", "SECRET_NAME", "build", "looks_like_placeholder", "secret"]
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


def secret(resolved: Resolved, release: Release) -> client.V1Secret:
    """`ray-secret` holding the license under `license_key`."""
    facts = resolved.facts
    encoded = base64.b64encode(resolved.values.syntho_license.encode()).decode()
    labels = common_labels(resolved, release) if facts.secret_labelled else None
    return client.V1Secret(
        api_version="v1",
        kind="Secret",
        type="Opaque",
        metadata=metadata(SECRET_NAME, release, labels, annotations=dict(facts.secret_annotations)),
        data={SECRET_KEY: encoded},
    )


def build(resolved: Resolved, release: Release) -> list[Any]:
    """The license Secret, unless the user manages their own (manualSecretName)."""
    return [] if resolved.values.manual_secret_name else [secret(resolved, release)]
