"""Documents as one YAML stream, as PyYAML writes it (through the fast path when it can)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from syntho_ray.output.fastyaml import block_yaml


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style, no aliases, multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.rstrip(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(documents: Iterable[dict[str, Any]]) -> str:
    """A multi-document YAML stream, each document starting with `---`."""
    return "".join(document_text(doc) for doc in documents)


def document_text(document: dict[str, Any], *, start: bool = True) -> str:
    fast = block_yaml(document, _Dumper, start=start)  # the same text, without PyYAML's cost
    return pyyaml_text(document, start=start) if fast is None else fast


def pyyaml_text(document: Any, *, start: bool = True) -> str:
    """The document as PyYAML writes it with our dumper: what `block_yaml` must match."""
    text: str = yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=2**31 - 1,
        explicit_start=start,
    )
    return text
