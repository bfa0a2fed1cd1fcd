"""The one request helper: every call to the server goes through :meth:`Http.request`.

A server URL is ``http(s)://host:port[/prefix]`` (the prefix is where a proxy serves it,
e.g. Jupyter's ``/bulkrun``) or ``unix:/path/to.sock`` (what a Jupyter-started server's
connection file names; docs/SERVER.md). Like the CLI (kernel-ext/src/cli/client.ts), a
URL copied with ``/api/v1`` on its end still names the server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

import httpx

from .errors import BulkrunError

API = "/api/v1"

# Long enough for a big submission to be checked and written; a dead server fails fast
# on connect anyway.
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Endpoint:
    """Where a server listens, split into what httpx needs."""

    url: str
    """The URL as given, for messages."""
    base_url: str
    """Scheme and host (``http://localhost`` for a Unix socket)."""
    prefix: str
    """Path before ``/api/v1``, no trailing slash."""
    uds: Optional[str] = None
    """The Unix socket's path, if the server listens on one."""


def parse_url(url: str) -> Endpoint:
    """Splits a server URL; a malformed one is a :class:`BulkrunError` ``invalid_url``."""
    raw = url.strip()
    if raw.startswith("unix:"):
        path = raw[len("unix:") :]
        if path.startswith("//"):
            path = path[2:] if path[2:3] == "/" else path
        if not path:
            raise BulkrunError("invalid_url", f"The server URL {url!r} names no socket path")
        return Endpoint(url=raw, base_url="http://localhost", prefix="", uds=path)
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BulkrunError(
            "invalid_url",
            f"The server URL {url!r} must look like http://host:port[/prefix], "
            "https://host[/prefix] or unix:/path/to.sock",
        )
    prefix = parts.path.rstrip("/")
    if prefix.endswith(API):
        prefix = prefix[: -len(API)]
    return Endpoint(url=raw, base_url=f"{parts.scheme}://{parts.netloc}", prefix=prefix)


def _error_from(response: httpx.Response, url: str) -> BulkrunError:
    """The server's ``{"error": {code, message, details?}}``, else ``http_<status>``."""
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict) and isinstance(err.get("code"), str):
        return BulkrunError(
            err["code"], str(err.get("message") or err["code"]), err.get("details"), status
        )
    text = " ".join(response.text.split())[:300]
    reason = response.reason_phrase or "error"
    return BulkrunError(
        f"http_{status}",
        f"The server at {url} answered {status} {reason}" + (f": {text}" if text else ""),
        None,
        status,
    )


class Http:
    """An HTTP connection to one server, with its token on every request."""

    def __init__(
        self, url: str, token: Optional[str] = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.endpoint = parse_url(url)
        self.token = token
        transport = httpx.HTTPTransport(uds=self.endpoint.uds) if self.endpoint.uds else None
        self._client = httpx.Client(
            base_url=self.endpoint.base_url, transport=transport, timeout=timeout
        )

    @property
    def url(self) -> str:
        return self.endpoint.url

    def request(
        self,
        method: str,
        path: str,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        *,
        api: bool = True,
        auth: bool = True,
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends one request and answers its parsed JSON (``None`` for an empty body).

        ``path`` is under ``/api/v1`` unless ``api`` is false; ``None`` values of
        ``query`` are left out. Every failure is a :class:`BulkrunError`.
        """
        full = self.endpoint.prefix + (API if api else "") + path
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        headers = {"Accept": "application/json"}
        if auth and self.token:
            headers["Authorization"] = f"token {self.token}"
        content = None
        if body is not None:
            # allow_nan=False: NaN is not JSON; the server would refuse the whole body.
            content = json.dumps(body, allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        extra = {} if timeout is None else {"timeout": timeout}
        try:
            response = self._client.request(
                method, full, params=params, content=content, headers=headers, **extra
            )
        except httpx.TransportError as exc:
            raise BulkrunError(
                "server_unavailable",
                f"Cannot reach the Bulkrun server at {self.url}: {exc or type(exc).__name__}. "
                "Is it running? (bulkrun.connect() with no arguments finds or starts your "
                "own server; BULKRUN_URL and BULKRUN_TOKEN name another one.)",
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise BulkrunError(
                "http_error", f"Request to the Bulkrun server at {self.url} failed: {exc}"
            ) from None
        if response.status_code >= 400:
            raise _error_from(response, self.url)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise BulkrunError(
                "invalid_response",
                f"The server at {self.url} answered {method} {full} with something that "
                "is not JSON; is this URL a Bulkrun server?",
                None,
                response.status_code,
            ) from None

    def answers(self, timeout: float = 2.0) -> bool:
        """Whether a live server answers ``GET /`` (which needs no token) with 200."""
        try:
            self.request("GET", "/", api=False, auth=False, timeout=timeout)
        except BulkrunError:
            return False
        return True

    def close(self) -> None:
        self._client.close()


def _query_value(value: Any) -> Any:
    # The server reads booleans as the words true/false, not Python's True/False.
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
