"""The deployment guide, as data: the words its Dutch edition translates (keys, two values,
the words of env names), the env names it sets, and the did-you-mean hint that knows them."""

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
