"""Bulkrun from Python: run one app over many inputs as a batch, from a notebook or a script.

    import bulkrun
    b = bulkrun.submit("demo-echo", [{"message": "hi"}, {"message": "there"}])
    b.wait()
    b.results()       # each row's output, in row order
    b.jobs()          # a DataFrame: one row per batch row

The module functions use one client made on first use by :func:`connect` with no
arguments: ``$BULKRUN_URL``/``$BULKRUN_TOKEN``, else your own server on this machine,
started if none runs (docs/SERVER.md).
"""

from __future__ import annotations

import threading
from typing import Any, Mapping, Optional, Union

from .batch import Batch
from .client import Client, connect
from .errors import BulkrunError

try:
    from importlib.metadata import version as _version

    __version__ = _version("jupyterlab-bulkrun")
except Exception:  # a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "Batch",
    "BulkrunError",
    "Client",
    "__version__",
    "apps",
    "batch",
    "batches",
    "connect",
    "grid",
    "submit",
]

_default: Optional[Client] = None
_default_lock = threading.Lock()


def _default_client() -> Client:
    """The client the module functions share, made by ``connect()`` on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = connect()
        return _default


def apps() -> list[dict[str, Any]]:
    """The apps the server can run. See :meth:`Client.apps`."""
    return _default_client().apps()


def submit(
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
    base_dir: Optional[str] = None,
) -> Batch:
    """Runs ``app`` once per row (a list of dicts or a DataFrame). See :meth:`Client.submit`."""
    return _default_client().submit(
        app,
        rows,
        shared=shared,
        resources=resources,
        backend=backend,
        fan_in=fan_in,
        max_parallel=max_parallel,
        max_retries=max_retries,
        priority=priority,
        label=label,
        idempotency_key=idempotency_key,
        base_dir=base_dir,
    )


def batch(id: str) -> Batch:
    """The batch with this id. See :meth:`Client.batch`."""
    return _default_client().batch(id)


def batches(status: Optional[str] = None, limit: Optional[int] = None) -> list[Batch]:
    """Your batches, newest first. See :meth:`Client.batches`."""
    return _default_client().batches(status=status, limit=limit)


def grid(app: str, rows: Any = None, **options: Any) -> Any:
    """An editable grid of rows for ``app`` in a notebook, with a Run button."""
    from .widget import grid as _grid  # noqa: PLC0415 (ipywidgets only when asked for)

    return _grid(_default_client(), app, rows, **options)
