"""Container image references, by the grammar of the distribution project that Docker,
containerd and CRI-O parse them with: `[HOST[:PORT]/]PATH[:TAG][@DIGEST]`."""

from __future__ import annotations

import re

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
NAME = re.compile(rf"(?:{_HOST}/)?{_COMPONENT}(?:/{_COMPONENT})*")
TAG = re.compile(r"[\w][\w.-]{0,127}")
DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
MAX_NAME = 255


def name_problem(name: str) -> str | None:
    """Why `name` (an image without its tag) is not valid, or None."""
    return _said(name, _name_reason(name))


def tag_problem(tag: str) -> str | None:
    """Why `tag` (`TAG`, `TAG@DIGEST` or `@DIGEST`) is not valid in a reference, or None."""
    return _said(tag, _tag_reason(tag))


def reference_problem(image: str) -> str | None:
    """Why a whole reference `NAME[:TAG][@DIGEST]` is not valid, or None."""
    rest, at, digest = image.partition("@")
    slash, colon = rest.rfind("/"), rest.rfind(":")
    name, tag = (rest[:colon], rest[colon + 1 :]) if colon > slash else (rest, "")
    reason = _name_reason(name)
    if reason is None and (colon > slash or at):
        reason = _tag_reason(f"{tag}{at}{digest}")
    return _said(image, reason)


def _name_reason(name: str) -> str | None:
    if len(name) > MAX_NAME:
        return f"the name is longer than {MAX_NAME} characters"
    if not NAME.fullmatch(name):
        return (
            "expected [HOST[:PORT]/]PATH, the path in lower-case letters and digits with "
            "single '.', '_' or '-' between them"
        )
    return None


def _tag_reason(tag: str) -> str | None:
    tag_part, at, digest = tag.partition("@")
    if (tag_part or not at) and not TAG.fullmatch(tag_part):
        return "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
    if at and not DIGEST.fullmatch(digest):
        return "a digest after '@' is ALGORITHM:HEX, for example sha256:<64 hex digits>"
    return None


def _said(text: str, reason: str | None) -> str | None:
    if reason is None:
        return None
    shown = text if len(text) <= 80 else text[:77] + "..."
    return f"{shown!r} is not a valid image reference: {reason}"
