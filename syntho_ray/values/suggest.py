"""Did-you-mean suggestions for mistyped keys, including the Dutch guide's translated keys."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# Keys (and two values) the Dutch edition of the deployment guide translates.
DUTCH = {
    "hoofd": "head",
    "middelen": "resources",
    "limieten": "limits",
    "verzoeken": "requests",
    "geheugen": "memory",
    "naam": "name",
    "waarde": "value",
    "annotaties": "annotations",
    "toleranties": "tolerations",
    "affiniteit": "affinity",
    "poorten": "ports",
    "uitgeschakeld": "disabled",
    "extraWerkergroepen": "additionalWorkerGroups",
    "opslag": "storage",
    "clusternaam": "clustername",
    "SynthoLicentie": "SynthoLicense",
    "archief": "repository",
    "blok": "block",
}
DUTCH_VALUES = {"waar": "true", "onwaar": "false"}
# The environment variables the guide sets, and the words of their names the Dutch edition
# translates (STRAAL_SCHEDULER_SPREIDING_DREMPEL for RAY_SCHEDULER_SPREAD_THRESHOLD).
GUIDE_ENV = ("RAY_SCHEDULER_SPREAD_THRESHOLD",)
DUTCH_ENV_WORDS = {
    "STRAAL": "RAY",
    "PLANNER": "SCHEDULER",
    "PLANNING": "SCHEDULER",
    "SPREIDING": "SPREAD",
    "DREMPEL": "THRESHOLD",
    "DREMPELWAARDE": "THRESHOLD",
}
# Env names the guide and chart set that Ray does not read, and the name it reads: Ray's C++
# settings are read from `RAY_<setting>` in the setting's own (lower) case, and env names are
# case-sensitive (tests/test_ray_env_names.py shows it on a real head).
RAY_READS = {"RAY_SCHEDULER_SPREAD_THRESHOLD": "RAY_scheduler_spread_threshold"}


def suggestion(key: str, known: Iterable[str]) -> str:
    """A ` (did you mean ...?)` hint for an unknown `key`, or the empty string."""
    candidates = list(known)
    translated = DUTCH.get(key)
    if translated and (translated in candidates or not candidates):
        return f" ('{key}' is the Dutch guide's word for '{translated}': use '{translated}')"
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    return f" (did you mean '{close[0]}'?)" if close else ""


def value_suggestion(value: object) -> str:
    """A hint for a Dutch `waar`/`onwaar` where true/false was meant, or the empty string."""
    if isinstance(value, str) and value.lower() in DUTCH_VALUES:
        english = DUTCH_VALUES[value.lower()]
        return f" ('{value}' is Dutch for {english}: write {english})"
    return ""


def env_suggestion(name: str) -> str:
    """A hint when `name` is a translation of an env var the guide sets, or the empty string."""
    english = "_".join(DUTCH_ENV_WORDS.get(w, w) for w in name.upper().split("_"))
    if english not in GUIDE_ENV or name == english:
        return ""
    read = RAY_READS.get(english)
    meant = f"'{english}' (which Ray reads as '{read}')" if read else f"'{english}'"
    return f"'{name}' is the Dutch guide's translation of {meant}: use '{read or english}'"


def ray_env_warning(name: str) -> str:
    """A warning when `name` is an env var the chart sets that Ray does not read, or ''."""
    read = RAY_READS.get(name)
    if read is None:
        return ""
    return (
        f"Ray does not read {name!r}: it reads {read!r} (env names are case-sensitive); "
        "as written the value has no effect and Ray keeps its default"
    )
