"""A batch on the server: its state, its rows' jobs, outputs and logs, and the actions
on it (wait, cancel, retry). Rules for what each action does: docs/SEMANTICS.md."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union
from urllib.parse import quote

from . import _rows
from .errors import BulkrunError
from .progress import TextProgress, short_id, summary

if TYPE_CHECKING:
    from .client import Client

TERMINAL = frozenset({"completed", "error", "terminated"})

_JOBS_PAGE = 1000


def _in_jupyter() -> bool:
    """Whether this runs in a Jupyter kernel, where a widget can show the batch."""
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class Batch:
    """One batch, as the server last described it (:attr:`record`).

    The attributes read the record; :meth:`refresh` (and :meth:`wait`, :meth:`cancel`,
    :meth:`retry`) fetch it again.
    """

    def __init__(self, client: Client, record: dict[str, Any]) -> None:
        self._client = client
        self.id: str = record["id"]
        self.record: dict[str, Any] = record

    # ------------------------------------------------------------ state

    @property
    def status(self) -> str:
        """``running``, ``completed``, ``error`` or ``terminated`` (derived from the rows)."""
        return str(self.record.get("status"))

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status of their newest attempt: created, queued, running, completed,
        error, terminated."""
        return dict(self.record.get("counts") or {})

    @property
    def label(self) -> str:
        return self.record.get("label") or ""

    @property
    def app(self) -> str:
        return str(self.record.get("app"))

    @property
    def total(self) -> int:
        """The number of rows."""
        return int(self.record.get("total") or 0)

    @property
    def done(self) -> bool:
        """Whether the batch ended: every row and the fan-in are terminal. A batch with a
        failed row is ``error``, and done, once the others have ended."""
        return self.status in TERMINAL

    def _path(self, tail: str = "") -> str:
        return f"/batches/{quote(self.id, safe='')}{tail}"

    def refresh(self) -> Batch:
        """Fetches the batch's record again."""
        self.record = self._client._request("GET", self._path())
        return self

    def wait(
        self, timeout: Optional[float] = None, progress: bool = True, poll: float = 1.0
    ) -> Batch:
        """Returns once the batch is completed, error or terminated.

        Raises :class:`TimeoutError` if it is still running after ``timeout`` seconds
        (it keeps running on the server). With ``progress``, a Jupyter kernel shows the
        live batch widget (it follows the server by itself) and a terminal a text bar on
        stderr.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        bar: Optional[TextProgress] = None
        if progress:
            if _in_jupyter():
                from IPython.display import display  # noqa: PLC0415

                display(self)
            else:
                bar = TextProgress()
        try:
            while True:
                self.refresh()
                if bar is not None:
                    bar.update(self)
                if self.done:
                    return self
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError(
                            f"Batch {self.id} is still {self.status} after {timeout} s "
                            f"({summary(self.counts)}); it goes on running on the server"
                        )
                    time.sleep(min(poll, left))
                else:
                    time.sleep(poll)
        finally:
            if bar is not None:
                bar.close()

    # ------------------------------------------------------------ actions

    def cancel(self) -> Batch:
        """Terminates every unfinished row and the pending fan-in."""
        answer = self._client._request("POST", self._path("/cancel"), body={})
        self.record = answer["batch"]
        return self

    def retry(self, statuses: Iterable[str] = ("error", "terminated")) -> list[dict[str, Any]]:
        """Retries every row whose newest attempt has one of ``statuses``.

        Answers one result per row: ``{jobId, retryId}``, or ``{jobId, error}`` where
        that row could not be retried (e.g. its retry limit is reached).
        """
        answer = self._client._request(
            "POST", self._path("/retry"), body={"statuses": list(statuses)}
        )
        # The batch is running again; a stale "error" would make wait() return at once.
        self.refresh()
        return list(answer.get("results") or [])

    # ------------------------------------------------------------ rows

    def _job_records(self, attempts: str = "latest") -> list[dict[str, Any]]:
        """Every job of the batch (the fan-in included), following all pages."""
        jobs: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self._client._request(
                "GET",
                self._path("/jobs"),
                {"attempts": attempts, "limit": _JOBS_PAGE, "cursor": cursor},
            )
            jobs.extend(page.get("jobs") or [])
            cursor = page.get("nextCursor")
            if not cursor:
                return jobs

    def _row_jobs(self, attempts: str = "latest") -> list[dict[str, Any]]:
        jobs = [j for j in self._job_records(attempts) if j.get("role") != "fan_in"]
        jobs.sort(key=lambda j: (j.get("index") or 0, j.get("attempt") or 0))
        return jobs

    def jobs(self, attempts: str = "latest", *, as_frame: Optional[bool] = None) -> Any:
        """The rows' jobs, one per row sorted by index (``attempts="all"``: every attempt).

        Columns: ``index``, the parameters the job ran with (``param_<name>`` where a
        name is one of these columns), ``status``, ``exit_code``, ``error`` (its code),
        ``started_at``, ``finished_at``, ``attempt``, what the job used (``wall_seconds``,
        ``cpu_seconds``, ``max_rss_bytes``), ``job_id``. A pandas DataFrame
        when pandas is installed (times as UTC Timestamps), else, or with
        ``as_frame=False``, a list of dicts (times as ISO strings).
        """
        if attempts not in ("latest", "all"):
            raise ValueError("attempts must be 'latest' or 'all'")
        pd = _rows.import_pandas() if as_frame is not False else None
        if as_frame and pd is None:
            raise ImportError("Batch.jobs(as_frame=True) needs pandas: pip install pandas")
        jobs = self._row_jobs(attempts)
        if pd is None:
            return _rows.job_rows(jobs)[1]
        return _rows.job_frame(pd, jobs)

    def results(self) -> list[Any]:
        """Each row's output, in row order; ``None`` for a row without one (not
        completed, or its program wrote none)."""
        jobs = self._row_jobs()
        size = max([self.total, *((j.get("index") or 0) + 1 for j in jobs)])
        out: list[Any] = [None] * size
        for job in jobs:
            if job.get("status") == "completed":
                out[job.get("index") or 0] = job.get("output")
        return out

    def fan_in_result(self) -> Any:
        """The fan-in job's output (its newest attempt), or ``None`` when the batch has
        no fan-in or it has not completed with an output."""
        job_id = self.record.get("fanInJobId")
        if not job_id and self.record.get("fanIn"):
            job_id = self.refresh().record.get("fanInJobId")
        if not job_id:
            return None
        job = self._client._request("GET", f"/jobs/{quote(job_id, safe='')}")
        # fanInJobId names the first attempt; a rerun fan-in is its newest retry.
        retries = job.get("retryIds") or []
        if retries:
            job = self._client._request("GET", f"/jobs/{quote(retries[-1], safe='')}")
        return job.get("output") if job.get("status") == "completed" else None

    def logs(self, index: int, stream: str = "stdout") -> str:
        """The stdout (or ``stream="stderr"``) of row ``index``'s newest attempt, as far
        as it has been written."""
        if stream not in ("stdout", "stderr"):
            raise ValueError("stream must be 'stdout' or 'stderr'")
        job = next((j for j in self._row_jobs() if j.get("index") == index), None)
        if job is None:
            raise BulkrunError(
                "not_found", f"Batch {self.id} has no row {index} (it has {self.total})"
            )
        path = f"/jobs/{quote(job['id'], safe='')}/logs"
        chunks: list[str] = []
        offset = 0
        while True:
            chunk = self._client._request("GET", path, {"stream": stream, "offset": offset})
            chunks.append(chunk.get("data") or "")
            next_offset = int(chunk.get("nextOffset") or offset)
            # eof only comes once the job ended; a running job's log ends where it is now.
            if chunk.get("eof") or next_offset <= offset:
                return "".join(chunks)
            offset = next_offset

    # ------------------------------------------------------------ display

    def __repr__(self) -> str:
        counts = self.counts
        return (
            f"<Batch {short_id(self.id)} {self.app}: "
            f"{counts.get('completed', 0)}/{self.total} completed ({self.status})>"
        )

    def _repr_mimebundle_(
        self, include: Union[Iterable[str], None] = None, exclude: Union[Iterable[str], None] = None
    ) -> dict[str, Any]:
        """The live batch widget in Jupyter; text elsewhere."""
        try:
            from .widget import BatchWidget  # noqa: PLC0415 (ipywidgets is heavy)
        except ImportError:
            return {"text/plain": repr(self)}
        bundle = BatchWidget(self.id, client=self._client)._repr_mimebundle_(
            include=include, exclude=exclude
        )
        bundle = dict(bundle or {})
        bundle["text/plain"] = repr(self)
        return bundle
