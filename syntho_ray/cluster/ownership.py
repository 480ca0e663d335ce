"""Moving the fields Helm manages to syntho-ray's field manager, before a server-side apply.

Helm creates and updates objects with plain writes: the API server records their fields in
`metadata.managedFields` under manager `helm`, operation `Update`. A server-side apply by
syntho-ray alone would leave every field Helm set and syntho-ray does not render in place
(a second container, leftover args, Helm's labels), still Helm's. So first the ownership moves,
the way `kubectl apply --server-side` upgrades client-side-applied objects (client-go's
`csaupgrade`): Helm's `Update` entries of the main resource are merged into syntho-ray's `Apply`
entry (or, without one, the first becomes it), in one JSON patch that also sets
`metadata.resourceVersion` to the version read, so that a concurrent write makes the server
answer 409 instead of losing it. The apply that follows then removes what syntho-ray no
longer renders, as it removes anything it stopped applying.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from typing import Any

from syntho_ray.cluster.connect import ApiError, Session
from syntho_ray.cluster.explain import explain
from syntho_ray.cluster.refs import Ref
from syntho_ray.errors import ClusterError

# Helm's field managers: the helm command, and Flux's helm-controller.
HELM_MANAGERS = frozenset({"helm", "helm-controller"})
JSON_PATCH = "application/json-patch+json"
ATTEMPTS = 3  # reads and patches when another writer changes the object in between

Entry = dict[str, Any]


def union(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """The union of two `fieldsV1` sets (tries of `f:`/`k:`/`v:`/`i:` steps, `.` for the node
    itself): a recursive merge of the two tries."""
    merged = copy.deepcopy(dict(first))
    for step, below in second.items():
        merged[step] = union(merged.get(step) or {}, below or {})
    return merged


def _is(entry: Entry, managers: Collection[str], operation: str) -> bool:
    return (
        entry.get("manager") in managers
        and entry.get("operation") == operation
        and not entry.get("subresource")
    )


def upgraded(entries: list[Entry], sources: Collection[str], target: str) -> list[Entry] | None:
    """`entries` with every `Update` entry of the `sources` (main resource) merged into
    `target`'s `Apply` entry; None when no source manages anything there."""
    moved = [e for e in entries if _is(e, sources, "Update")]
    if not moved:
        return None
    out = copy.deepcopy(entries)
    index = next((i for i, e in enumerate(out) if _is(e, {target}, "Apply")), None)
    if index is None:
        index = next(i for i, e in enumerate(out) if _is(e, sources, "Update"))
        out[index] |= {"manager": target, "operation": "Apply"}
    fields = out[index].get("fieldsV1") or {}
    for entry in moved:
        fields = union(fields, entry.get("fieldsV1") or {})
    out[index]["fieldsV1"] = fields
    kept = out[index]
    return [e for e in out if e is kept or not _is(e, sources, "Update")]


def managers(obj: Mapping[str, Any]) -> set[str]:
    """The field managers of an object."""
    entries = (obj.get("metadata") or {}).get("managedFields") or []
    return {str(e.get("manager")) for e in entries}


def take_over_fields(
    session: Session, ref: Ref, live: dict[str, Any], *, sources: Collection[str], target: str
) -> dict[str, Any]:
    """Move the `sources`' fields of the live object to `target` (see the module's docstring);
    the object as it is afterwards. A write in between (409) is met by reading it again."""
    for _ in range(ATTEMPTS):
        meta = live.get("metadata") or {}
        entries = upgraded(list(meta.get("managedFields") or []), sources, target)
        if entries is None:
            return live
        patch = [
            {"op": "replace", "path": "/metadata/managedFields", "value": entries},
            {
                "op": "replace",
                "path": "/metadata/resourceVersion",
                "value": meta["resourceVersion"],
            },
        ]
        try:
            return session.request("PATCH", ref.path(), body=patch, content_type=JSON_PATCH)
        except ApiError as error:
            if error.status != 409:
                raise ClusterError(explain(error, ref, "patch")) from None
        found = session.get(ref.path())
        if found is None:
            raise ClusterError(f"{ref}: deleted while syntho-ray was taking it over")
        live = found
    raise ClusterError(
        f"{ref}: changed by another writer {ATTEMPTS} times while syntho-ray was taking over "
        "Helm's fields; run the same command again"
    )
