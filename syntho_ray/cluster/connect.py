"""The connection to the cluster: kubeconfig and context, requests with retries, watches.

Every call goes through `Session.request`, which retries transient failures (429
throttling, 5xx answers, reset connections) with exponential backoff, honouring
`Retry-After`, until the policy's time budget is spent; a refused connection (nothing
listens) only for a short budget of its own, so a wrong address fails in about 2 s. Answers come
back as plain JSON data; error answers raise `ApiError`, which keeps the
server's `Status` (code, reason, message, details).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import urllib3
import yaml

from syntho_ray.cluster.credentials import credential_plugins
from syntho_ray.cluster.kubeclient import client
from syntho_ray.errors import ClusterError
from syntho_ray.values.files import VALUES_FILE_LIMIT, UnreadableFile, read_input

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
REQUEST_TIMEOUT = (10.0, 60.0)  # connect, read (seconds)
USER_AGENT = "syntho-ray"
WORKERS = 4  # requests a command has in flight at once (each one more TLS connection to open)
Query = Mapping[str, str | int | bool]
Item = TypeVar("Item")
Result = TypeVar("Result")


def each(function: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
    """`function` of every item, up to `WORKERS` at once (for requests that do not depend on
    each other); the results in the items' order. All run to their end, then the first error
    in the items' order is raised. The threads are daemons: an interrupted command ends at
    once instead of waiting at exit for the requests under way."""
    items = list(items)
    if len(items) < 2:
        return [function(item) for item in items]
    results: list[Any] = [None] * len(items)
    failures: list[BaseException | None] = [None] * len(items)
    left = iter(range(len(items)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                index = next(left, None)
            if index is None:
                return
            try:
                results[index] = function(items[index])
            except BaseException as error:  # raised again in the caller's thread
                failures[index] = error

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(WORKERS, len(items)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for failure in failures:
        if failure is not None:
            raise failure
    return results


@dataclass(frozen=True)
class RetryPolicy:
    """How long one call may keep retrying, and how long it waits between tries."""

    budget: float = 20.0
    first_delay: float = 0.5
    max_delay: float = 8.0
    refused_budget: float = 2.0  # nothing listens: only a server that is restarting is waited for

    def budget_for(self, error: ClusterError) -> float:
        """Seconds the call may keep retrying after `error`."""
        return min(self.refused_budget, self.budget) if isinstance(error, Refused) else self.budget

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before try `attempt + 1`: the server's Retry-After, else exponential."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        return float(min(self.first_delay * 2**attempt, self.max_delay))


class ApiError(ClusterError):
    """An error answer from the API server, with its `Status`."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        details: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message or reason or f"HTTP {status}")
        self.status = status
        self.reason = reason
        self.message = message
        self.details: Mapping[str, Any] = details or {}
        self.retry_after = retry_after

    @classmethod
    def from_answer(cls, status: int, body: str, headers: Mapping[str, str]) -> ApiError:
        """From the status, body and headers of an error answer."""
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        return cls(
            status,
            str(data.get("reason") or ""),
            str(data.get("message") or body[:200] or ""),
            data.get("details") if isinstance(data.get("details"), dict) else None,
            _retry_after(headers),
        )


class Unreachable(ClusterError):
    """The API server could not be reached at all."""


class Refused(Unreachable):
    """Nothing listens at the API server's address: the connection was refused."""


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = {k.lower(): v for k, v in (headers or {}).items()}.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@dataclass
class Api:
    """The API server's address and credentials (the client's `Configuration`), and a pool
    of connections to it that threads may share (the client's REST client: urllib3)."""

    configuration: Any
    rest: Any
    _auth: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def of(cls, configuration: Any) -> Api:
        """The connection pool for `configuration`."""
        return cls(configuration, client().rest.RESTClientObject(configuration))

    def headers(self) -> dict[str, str]:
        """The credential's header, if any (a credential plugin may run again to renew it:
        one thread at a time)."""
        with self._auth:
            setting = self.configuration.auth_settings().get("BearerToken")
        return {setting["key"]: setting["value"]} if setting and setting.get("value") else {}


@dataclass
class Session:
    """A connected API client: JSON requests with retries, and watches."""

    api: Api
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    notice: Callable[[str], None] = lambda line: None  # told once, when retries start
    timeout: float = REQUEST_TIMEOUT[1]  # seconds one call may take
    known: Mapping[str, dict[str, Any] | ApiError | None] = field(default_factory=dict)
    _noticed: bool = field(default=False, init=False, repr=False)

    @property
    def server(self) -> str:
        """The API server's address."""
        return str(self.api.configuration.host)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Query | None = None,
        body: Any = None,
        content_type: str = "application/json",
    ) -> dict[str, Any]:
        """One request, retried while transient; the answer's JSON data."""
        started = self.clock()
        attempt = 0
        while True:
            try:
                return self._once(method, path, query, body, content_type)
            except (ApiError, Unreachable) as error:
                if not _transient(error):
                    raise
                after = error.retry_after if isinstance(error, ApiError) else None
                pause = self.retry.delay(attempt, after)
                budget = self.retry.budget_for(error)
                if self.clock() + pause > started + budget:
                    raise
                if not self._noticed:
                    self._noticed = True
                    self.notice(f"{error} (retrying for up to {budget:g}s)")
                self.sleep(pause)
                attempt += 1

    def knowing(self, paths: Iterable[str]) -> Session:
        """This session, with `get` answering `paths` from reads made now, all at once: for
        the checks that read the cluster before anything changes (never after a change)."""
        unique = list(dict.fromkeys(paths))
        answers = each(self._read, unique)
        return dataclasses.replace(self, known=dict(zip(unique, answers, strict=True)))

    def _read(self, path: str) -> dict[str, Any] | ApiError | None:
        try:
            return self.get(path)
        except ApiError as error:
            return error

    def get(self, path: str, query: Query | None = None) -> dict[str, Any] | None:
        """The object at `path`, or None when it does not exist.

        A 404 about the resource type itself (a CRD not installed) still raises.
        """
        if path in self.known and query is None:
            answer = self.known[path]
            if isinstance(answer, ApiError):
                raise answer
            return answer
        try:
            return self.request("GET", path, query=query)
        except ApiError as error:
            if error.status == 404 and error.details.get("name"):
                return None
            raise

    def discover(self, path: str) -> dict[str, Any] | None:
        """A discovery document (`/apis/<group>[/<version>]`), or None when not served."""
        try:
            return self.request("GET", path)
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def watch(self, path: str, query: Query, timeout: float) -> Iterator[dict[str, Any]]:
        """Watch events from the collection at `path`; ends when the stream ends or drops."""
        full = dict(query) | {"watch": "true", "timeoutSeconds": max(1, int(timeout))}
        response = self._send("GET", path, full, None, "application/json", stream=True)
        try:
            for line in _lines(response):
                if line.strip():
                    yield json.loads(line)
        except (urllib3.exceptions.HTTPError, OSError, ValueError):
            return  # a dropped watch ends like a finished one; the caller resumes
        finally:
            response.close()  # ends the server's stream too when the caller stops early
            response.release_conn()

    def _once(
        self, method: str, path: str, query: Query | None, body: Any, content_type: str
    ) -> dict[str, Any]:
        response = self._send(method, path, query, body, content_type, stream=False)
        data = response.data
        if not data:
            return {}
        try:
            parsed = json.loads(data)
        except ValueError:
            raise Unreachable(f"{self.server}: the answer to {method} {path} is not JSON") from None
        return parsed if isinstance(parsed, dict) else {"items": parsed}

    def _send(
        self,
        method: str,
        path: str,
        query: Query | None,
        body: Any,
        content_type: str,
        *,
        stream: bool,
    ) -> Any:
        params = [(k, _text(v)) for k, v in (query or {}).items()]
        headers = {"Accept": "application/json", "Content-Type": content_type}
        headers |= {"User-Agent": USER_AGENT, **self.api.headers()}
        connecting = min(REQUEST_TIMEOUT[0], self.timeout)
        timeout = (
            (connecting, float(dict(params).get("timeoutSeconds", 0)) + 30)
            if stream
            else (connecting, self.timeout)
        )
        try:
            return self.api.rest.request(
                method,
                self.server + path,
                query_params=params,
                headers=headers,
                body=body,
                _preload_content=False,
                _request_timeout=timeout,
            )
        except Exception as error:
            failure = self._failure(error, f"{method} {path}")
            if failure is None:
                raise
            raise failure from None

    def _failure(self, error: Exception, call: str) -> Exception | None:
        """Our error for what the client raised during `call`; None for one we do not know."""
        if isinstance(error, client().exceptions.ApiException):
            if not error.status:  # the client's REST layer wraps a failed TLS handshake so
                return ClusterError(_tls_problem(self.server, str(error.reason)))
            text = error.body.decode() if isinstance(error.body, bytes) else error.body
            return ApiError.from_answer(
                int(error.status or 0), str(text or ""), dict(error.headers or {})
            )
        if isinstance(error, urllib3.exceptions.SSLError):
            return ClusterError(
                f"{self.server}: TLS failed ({_short(error)}); check the kubeconfig's "
                "certificate-authority for this cluster"
            )
        if isinstance(error, urllib3.exceptions.NewConnectionError):  # refused: not a time-out
            return _unreachable(self.server, error)
        if isinstance(error, urllib3.exceptions.TimeoutError | TimeoutError):
            return ClusterError(
                f"the Kubernetes API server at {self.server} did not answer within "
                f"{self.timeout:g}s ({call}); check that it is running, or give it "
                "longer with --request-timeout"
            )
        if isinstance(error, urllib3.exceptions.HTTPError | OSError):
            return _unreachable(self.server, error)
        return None


def _lines(response: Any) -> Iterator[str]:
    """The lines of a streamed answer, each as soon as it is complete."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=False):
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from (line.decode("utf-8", errors="replace") for line in complete)
    if pending:
        yield pending.decode("utf-8", errors="replace")


def _unreachable(server: str, error: BaseException) -> Unreachable:
    """The error for a server that cannot be reached; `Refused` when it refused."""
    reason = _short(error)
    return (Refused if reason == "connection refused" else Unreachable)(
        f"cannot reach the Kubernetes API server at {server} ({reason}); "
        "check that the cluster is running and that --kubeconfig and --context point at it"
    )


def _tls_problem(server: str, reason: str) -> str:
    """One line for a failed TLS connection, from the client's wrapped SSLError text."""
    found = re.search(r"\[SSL: ([A-Z_]+)\] ([^(')\"]+)", reason)
    code, text = (found[1], found[2].strip()) if found else ("", reason[:200])
    if code == "WRONG_VERSION_NUMBER":
        return (
            f"{server}: TLS failed: the server does not answer in TLS (plain HTTP?); check the "
            "kubeconfig's server address (https:// or http://, and the port)"
        )
    return (
        f"{server}: TLS failed ({text}); check the kubeconfig's certificate-authority for this "
        "cluster"
    )


def _transient(error: ClusterError) -> bool:
    return isinstance(error, Unreachable) or (
        isinstance(error, ApiError) and error.status in RETRYABLE_STATUS
    )


def _text(value: str | int | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _short(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    return text.split(": ", 1)[-1] if "Connection refused" not in text else "connection refused"


def connect(
    kubeconfig: str | None = None,
    context: str | None = None,
    retry: RetryPolicy | None = None,
    notice: Callable[[str], None] = lambda line: None,
    *,
    request_timeout: float = REQUEST_TIMEOUT[1],
) -> Session:
    """A `Session` for the kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster).

    A credential plugin (`exec`) the kubeconfig names runs for at most `request_timeout`
    seconds; when it fails, so does the connection.
    """
    kube = client()
    configuration = kube.configuration.Configuration()
    where = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    try:
        if kubeconfig is None and context is None and _in_cluster():
            kube.incluster_config.load_incluster_config(client_configuration=configuration)
        else:
            if kubeconfig is not None and os.path.exists(kubeconfig):
                read_input(kubeconfig, VALUES_FILE_LIMIT)  # a regular file of a sane size
            with credential_plugins(request_timeout) as failed:
                kube.kube_config.load_kube_config(
                    config_file=kubeconfig, context=context, client_configuration=configuration
                )
            if failed:
                raise ClusterError(f"kubeconfig {where}: {failed[0]}")
    except UnreadableFile as error:
        raise ClusterError(f"kubeconfig {where}: {error}") from None
    except (
        kube.config_exception.ConfigException,
        OSError,
        TypeError,
        ValueError,
        AttributeError,
    ) as error:
        raise ClusterError(_kubeconfig_problem(kubeconfig, error)) from None
    except yaml.YAMLError as error:
        raise ClusterError(_kubeconfig_problem(kubeconfig, error)) from None
    configuration.retries = False  # Session.request retries, with backoff and a budget
    configuration.connection_pool_maxsize = WORKERS + 2  # and the watches of --wait
    return Session(
        Api.of(configuration),
        retry=retry or RetryPolicy(),
        notice=notice,
        timeout=request_timeout,
    )


_EXPECTED_NAME = re.compile(r"Expected object with name (.*) in .*/(\w+) list")


def _kubeconfig_problem(given: str | None, error: Exception) -> str:
    """One line naming the kubeconfig file and what is wrong with it."""
    where = given or os.environ.get("KUBECONFIG") or "~/.kube/config"
    hint = "" if given else "; pass --kubeconfig FILE (and --context NAME)"
    text = str(error).removeprefix("Invalid kube-config file. ")
    if isinstance(error, FileNotFoundError) or "No configuration found" in text:
        what = "no such file" if given else "no kubeconfig found"
        return f"kubeconfig {where}: {what}{hint}"
    if isinstance(error, IsADirectoryError):
        return f"kubeconfig {where}: a directory, not a file"
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        line = error.problem_mark.line + 1
        return f"kubeconfig {where}:{line}: not valid YAML ({error.problem or error})"
    if isinstance(error, yaml.YAMLError):
        return f"kubeconfig {where}: not valid YAML ({error})"
    if "Expected key current-context" in text:
        return f"kubeconfig {where}: no context chosen (no current-context); pass --context NAME"
    if named := _EXPECTED_NAME.search(text):
        name, kind = named[1], named[2].removesuffix("s")
        return f"kubeconfig {where}: no {kind} named {name!r} in the file"
    if isinstance(error, TypeError | ValueError | AttributeError):
        return f"kubeconfig {where}: not a kubeconfig (a mapping of clusters, contexts, users)"
    return f"kubeconfig {where}: {text}{hint}"


def _in_cluster() -> bool:
    has_file = bool(os.environ.get("KUBECONFIG")) or Path("~/.kube/config").expanduser().exists()
    return not has_file and bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
