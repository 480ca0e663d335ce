"""A small HTTPS client for the test control plane: requests and watches, nothing cached.

The tests talk to the API server through this, not through syntho-ray's own client, so that
what syntho-ray does is checked by other code than its own.
"""

from __future__ import annotations

import http.client
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

JSON = "application/json"
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"


class ApiError(Exception):
    """An answer other than 2xx: its status, reason and message."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body
        self.reason = str(body.get("reason", ""))
        super().__init__(f"{status} {self.reason}: {body.get('message', body)}")


@dataclass(frozen=True)
class Api:
    """The API server at 127.0.0.1:port, as one client certificate or bearer token."""

    port: int
    ca: Path
    cert: Path | None = None
    key: Path | None = None
    token: str | None = None

    def _connection(self, timeout: float) -> http.client.HTTPSConnection:
        context = ssl.create_default_context(cafile=str(self.ca))
        if self.cert and self.key:
            context.load_cert_chain(str(self.cert), str(self.key))
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=timeout)

    def _headers(self, content_type: str) -> dict[str, str]:
        headers = {"Accept": JSON, "Content-Type": content_type}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        content_type: str = JSON,
    ) -> dict[str, Any]:
        """One call; raises ApiError unless the status is 2xx."""
        connection = self._connection(timeout=30)
        url = path + ("?" + urlencode(query) if query else "")
        data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        try:
            connection.request(method, url, body=data, headers=self._headers(content_type))
            answer = connection.getresponse()
            raw = answer.read()
        finally:
            connection.close()
        parsed = json.loads(raw) if raw.strip().startswith(b"{") else {"text": raw.decode()}
        if not 200 <= answer.status < 300:
            raise ApiError(answer.status, parsed)
        return dict(parsed)

    def get(self, path: str) -> dict[str, Any] | None:
        """The object at path, or None when it does not exist."""
        try:
            return self.request("GET", path)
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def apply(self, path: str, obj: dict[str, Any], manager: str, **query: str) -> dict[str, Any]:
        """A server-side apply of obj at its own path (path names the object)."""
        return self.request(
            "PATCH",
            path,
            json.dumps(obj),
            query={"fieldManager": manager, **query},
            content_type=APPLY,
        )

    def watch(self, path: str, query: dict[str, str], timeout: float) -> Iterator[dict[str, Any]]:
        """Watch events of the collection at path; an error answer raises ApiError."""
        connection = self._connection(timeout=timeout + 10)
        full = {**query, "watch": "true", "timeoutSeconds": str(int(timeout))}
        try:
            connection.request("GET", f"{path}?{urlencode(full)}", headers=self._headers(JSON))
            answer = connection.getresponse()
            if answer.status != 200:
                raise ApiError(answer.status, json.loads(answer.read() or b"{}"))
            for line in answer:
                if line.strip():
                    yield json.loads(line)
        finally:
            connection.close()
