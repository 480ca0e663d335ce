"""Documents (plain data or typed objects) as one YAML stream, as PyYAML writes it (through the
fast path when it can)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from syntho_ray.k8s.data import to_document
from syntho_ray.output.fastyaml import block_chunks


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block style, no aliases, multi-line text as literal blocks."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.rstrip(" ") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(documents: Iterable[Any]) -> str:
    """A multi-document YAML stream, each document (plain data or a typed object) starting
    with `---`."""
    return "".join(chunk for document in documents for chunk in document_chunks(document))


def document_text(document: Any, *, start: bool = True) -> str:
    """One document (plain data or a typed object) as YAML."""
    return "".join(document_chunks(document, start=start))


def document_chunks(document: Any, *, start: bool = True) -> list[str]:
    """`document_text` in parts: a typed object is written as its `to_document` data without
    making it, and a large document is never held whole twice (in parts and joined)."""
    fast = block_chunks(document, _Dumper, start=start)  # the same text, without PyYAML's cost
    if fast is not None:
        return fast
    return [
        pyyaml_text(document if isinstance(document, dict) else to_document(document), start=start)
    ]


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
