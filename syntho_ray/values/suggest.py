"""Hints for values the guide's readers write: Dutch true/false, translated env names, env
names Ray does not read (the did-you-mean for keys is `facts.guide.suggestion`)."""

from __future__ import annotations

from syntho_ray.facts.guide import DUTCH_ENV_WORDS, DUTCH_VALUES, GUIDE_ENV

# Env names the guide and chart set that Ray does not read, and the name it reads: Ray's C++
# settings are read from `RAY_<setting>` in the setting's own (lower) case, and env names are
# case-sensitive (tests/test_ray_env_names.py shows it on a real head).
RAY_READS = {"RAY_SCHEDULER_SPREAD_THRESHOLD": "RAY_scheduler_spread_threshold"}


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
