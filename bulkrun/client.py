"""The client of one Bulkrun server: apps, submitting batches, finding them again.

The request and answer shapes are those of the REST API (README "API", and
kernel-ext/src/server/routes.ts).
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Union
from urllib.parse import quote

from . import _connection, _rows
from ._http import DEFAULT_TIMEOUT, Http
from .batch import Batch

_BATCHES_PAGE = 1000


class Client:
    """A connection to one Bulkrun server. Usually made by :func:`connect`."""

    def __init__(
        self, url: str, token: Optional[str] = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self._http = Http(url, token, timeout=timeout)

    @property
    def url(self) -> str:
        """The server's URL (``http(s)://…`` or ``unix:/path/to.sock``)."""
        return self._http.url

    @property
    def token(self) -> Optional[str]:
        return self._http.token

    def _request(
        self,
        method: str,
        path: str,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
    ) -> Any:
        return self._http.request(method, path, query, body)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<bulkrun.Client {self.url}>"

    # ------------------------------------------------------------ apps

    def apps(self) -> list[dict[str, Any]]:
        """The apps the server can run (each: id, version, title, parameters, …)."""
        answer = self._request("GET", "/apps")
        if isinstance(answer, dict):
            return list(answer.get("apps") or [])
        return list(answer or [])

    def app(self, id: str) -> dict[str, Any]:
        """One app's definition (its newest version)."""
        return self._request("GET", f"/apps/{quote(id, safe='')}")

    # ------------------------------------------------------------ batches

    def submit(
        self,
        app: str,
        rows: Any,
        *,
        shared: Optional[Mapping[str, Any]] = None,
        resources: Optional[Mapping[str, Any]] = None,
        backend: Optional[str] = None,
        fan_in: Union[str, Mapping[str, Any], None] = None,
        max_parallel: Optional[int] = None,
        max_retries: Optional[int] = None,
        priority: Optional[int] = None,
        label: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        base_dir: Union[str, os.PathLike[str], None] = None,
    ) -> Batch:
        """Runs ``app`` once per row and answers the new batch (it runs on the server).

        ``rows`` is a list of dicts or a pandas DataFrame, one row per job; a missing
        value (None, NaN, ``pd.NA``) is not set, so the app's default applies.
        ``shared`` values go to every row. ``resources`` overrides the app's
        (``{"memory": "2G", "walltime": "1h"}``). ``fan_in`` is an app id, or
        ``{"app", "params", "when"}``, run over all the rows' outputs at the end.
        Relative file paths are files under ``base_dir`` (default: the current
        directory). Every row is checked before anything is created; problems raise a
        :class:`BulkrunError` (``validation_failed``) that lists each of them.
        """
        body: dict[str, Any] = {"app": app, "params": _rows.to_params(rows)}
        if shared is not None:
            body["shared"] = _rows.clean_mapping(shared, "shared")
        if resources is not None:
            body["resources"] = dict(resources)
        if backend is not None:
            body["backend"] = backend
        if label is not None:
            body["label"] = label
        if fan_in is not None:
            body["fanIn"] = _fan_in(fan_in)
        for key, value in (
            ("maxParallel", max_parallel),
            ("maxRetries", max_retries),
            ("priority", priority),
            ("idempotencyKey", idempotency_key),
        ):
            if value is not None:
                body[key] = value
        # The server wants an absolute baseDir (kernel-ext/src/engine/validate.ts).
        body["baseDir"] = os.getcwd() if base_dir is None else os.path.abspath(os.fspath(base_dir))
        answer = self._request("POST", "/batches", body=body)
        return Batch(self, answer["batch"])

    def batch(self, id: str) -> Batch:
        """The batch with this id."""
        return Batch(self, self._request("GET", f"/batches/{quote(id, safe='')}"))

    def batches(self, status: Optional[str] = None, limit: Optional[int] = None) -> list[Batch]:
        """Your batches, newest first; only those with ``status`` if given, at most
        ``limit`` if given."""
        found: list[Batch] = []
        cursor = None
        while limit is None or len(found) < limit:
            size = _BATCHES_PAGE if limit is None else min(_BATCHES_PAGE, limit - len(found))
            page = self._request(
                "GET", "/batches", {"status": status, "limit": size, "cursor": cursor}
            )
            found.extend(Batch(self, record) for record in page.get("batches") or [])
            cursor = page.get("nextCursor")
            if not cursor:
                break
        return found if limit is None else found[:limit]


def _fan_in(fan_in: Union[str, Mapping[str, Any]]) -> dict[str, Any]:
    if isinstance(fan_in, str):
        return {"app": fan_in}
    if isinstance(fan_in, Mapping):
        spec = dict(fan_in)
        if "params" in spec and isinstance(spec["params"], Mapping):
            spec["params"] = _rows.clean_mapping(spec["params"], "fan_in params")
        return spec
    raise TypeError(
        f"fan_in must be an app id or a dict {{app, params, when}}, not {type(fan_in).__name__}"
    )


def connect(url: Optional[str] = None, token: Optional[str] = None) -> Client:
    """A client of the Bulkrun server at ``url`` (with ``token``).

    Without ``url``: ``$BULKRUN_URL`` and ``$BULKRUN_TOKEN`` if set, else your own
    server on this machine (the one JupyterLab starts; docs/SERVER.md), found by its
    connection file in ``$BULKRUN_DATA_DIR`` (default ``<jupyter data dir>/bulkrun``)
    and started if none runs.
    """
    target = _connection.resolve(url, token)
    return Client(target.url, target.token)
