"""The live widgets: a batch's view and the editable grid, drawn by the labextension.

Their synced state is small on purpose: a batch widget holds only the batch id, and the
view in the page fetches and follows the batch from the Bulkrun server itself (through
Jupyter's /bulkrun/ proxy), so it keeps updating while the kernel is busy, idle,
restarted or gone. The labextension stores these widgets' state in the notebook when it
is saved (src/widgets/state.ts), so a reopened notebook shows the batch live again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets
import traitlets

if TYPE_CHECKING:
    from .batch import Batch
    from .client import Client

# The labextension's npm name and version (package.json; src/widgets/models.ts).
MODULE = "jupyterlab-bulkrun"
MODULE_VERSION = "0.1.0"


class BatchWidget(ipywidgets.DOMWidget):
    """The bulk-run cell's view of one batch: status table, progress, counts, timeline,
    logs, retry and cancel."""

    _model_name = traitlets.Unicode("BulkrunBatchModel").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = traitlets.Unicode("BulkrunBatchView").tag(sync=True)
    _view_module = traitlets.Unicode(MODULE).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    batch_id = traitlets.Unicode("").tag(sync=True)

    def __init__(self, batch_id: str, *, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(batch_id=batch_id, **kwargs)
        self._client = client

    @property
    def batch(self) -> Batch:
        return self._client_or_default().batch(self.batch_id)

    def _client_or_default(self) -> Client:
        if self._client is None:
            from . import _default_client  # noqa: PLC0415

            self._client = _default_client()
        return self._client


class GridWidget(ipywidgets.DOMWidget):
    """The editable grid of the bulk-run cell (its Configure tab) as a widget. Its Run
    button submits from the page; ``grid.batch`` is then the submitted batch."""

    _model_name = traitlets.Unicode("BulkrunGridModel").tag(sync=True)
    _model_module = traitlets.Unicode(MODULE).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_name = traitlets.Unicode("BulkrunGridView").tag(sync=True)
    _view_module = traitlets.Unicode(MODULE).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)

    app = traitlets.Unicode("").tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    options = traitlets.Dict().tag(sync=True)
    # Written by the page: the grid as the user edited it, and the batch its Run made.
    draft = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    batch_id = traitlets.Unicode("").tag(sync=True)

    def __init__(self, client: Client | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client = client

    @property
    def batch(self) -> Batch | None:
        """The batch the grid's Run submitted (the newest), or None before that."""
        if not self.batch_id:
            return None
        if self._client is None:
            from . import _default_client  # noqa: PLC0415

            self._client = _default_client()
        return self._client.batch(self.batch_id)


_OPTION_NAMES = ("shared", "resources", "backend", "label", "fan_in", "max_parallel")


def grid(client: Client | None, app: str, rows: Any = None, **options: Any) -> GridWidget:
    """An editable grid for ``app``, pre-filled with ``rows`` (dicts or a DataFrame)."""
    from ._rows import to_params  # noqa: PLC0415

    unknown = sorted(set(options) - set(_OPTION_NAMES))
    if unknown:
        from .errors import BulkrunError  # noqa: PLC0415

        raise BulkrunError(
            "invalid_argument",
            f"grid() got unknown options {unknown}; it takes {list(_OPTION_NAMES)}",
        )
    given = {k: v for k, v in options.items() if v is not None}
    return GridWidget(
        client, app=app, rows=to_params(rows) if rows is not None else [], options=given
    )
