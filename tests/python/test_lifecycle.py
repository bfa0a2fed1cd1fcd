"""Retry, cancel, wait's timeout, progress and display of a batch."""

from __future__ import annotations

import io
import sys
import time

import pytest

import bulkrun
from bulkrun.progress import TextProgress


def test_retry_failed_rows_then_the_batch_completes(client: bulkrun.Client) -> None:
    b = client.submit("t-flaky", [{"fail": True}, {"fail": False}, {"fail": True}])
    b.wait(timeout=60, progress=False, poll=0.2)
    assert b.status == "error" and b.done
    assert b.counts["error"] == 2 and b.counts["completed"] == 1
    assert b.results() == [None, {"attempt": 1}, None]
    failed = b.jobs()
    assert list(failed["status"]) == ["error", "completed", "error"]
    assert list(failed["exit_code"]) == [3, 0, 3]
    assert "failing attempt 1" in b.logs(0, stream="stderr")

    results = b.retry()
    assert len(results) == 2
    assert all("retryId" in r for r in results), results
    assert {r["jobId"] for r in results} == {failed["job_id"][0], failed["job_id"][2]}
    assert not b.done  # running again, not the stale "error"

    b.wait(timeout=60, progress=False, poll=0.2)
    assert b.status == "completed"
    assert b.results() == [{"attempt": 2}, {"attempt": 1}, {"attempt": 2}]
    latest = b.jobs()
    assert list(latest["attempt"]) == [2, 1, 2]
    assert list(latest["status"]) == ["completed"] * 3
    every = b.jobs(attempts="all")
    assert list(every["index"]) == [0, 0, 1, 2, 2]
    assert list(every["attempt"]) == [1, 2, 1, 1, 2]
    assert "attempt 2 ok" in b.logs(0)


def test_retry_with_nothing_to_retry(client: bulkrun.Client) -> None:
    b = client.submit("t-flaky", [{"fail": False}]).wait(progress=False, poll=0.2)
    assert b.retry() == []
    assert b.retry(statuses=["terminated"]) == []
    assert b.status == "completed"


def test_cancel_sleeping_rows_terminates_the_batch(client: bulkrun.Client) -> None:
    b = client.submit("demo-sleep", [{"seconds": 60}, {"seconds": 60}])
    deadline = time.monotonic() + 30
    while b.refresh().counts.get("running", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert b.counts["running"] == 2
    assert b.cancel() is b
    b.wait(timeout=30, progress=False, poll=0.2)
    assert b.status == "terminated"
    assert b.counts["terminated"] == 2
    assert list(b.jobs()["status"]) == ["terminated", "terminated"]


def test_wait_timeout_raises_timeout_error(client: bulkrun.Client) -> None:
    b = client.submit("demo-sleep", [{"seconds": 30}])
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        b.wait(timeout=0.5, progress=False, poll=0.1)
    assert time.monotonic() - started < 5
    assert b.id in str(info.value)
    assert not b.done
    b.cancel().wait(timeout=30, progress=False, poll=0.2)
    assert b.status == "terminated"


def test_wait_draws_a_progress_line_on_stderr(
    client: bulkrun.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    b = client.submit("demo-echo", [{"message": "p1"}, {"message": "p2"}])
    b.wait(timeout=60, poll=0.2)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines, "no progress line"
    # Not a terminal: one plain line per change, the last one the finished batch.
    assert "\r" not in captured.err
    assert len(lines) == len(set(lines))
    last = lines[-1]
    assert last.startswith(f"demo-echo {b.id[:8]}")
    assert "[" + "#" * 20 + "]" in last
    assert "2/2" in last and "completed 2" in last


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Fake:
    """What TextProgress reads of a batch."""

    def __init__(self, counts: dict[str, int], total: int) -> None:
        self.id, self.app, self.counts, self.total = "3f2a9c0d1e2b", "demo-echo", counts, total


def test_text_progress_redraws_in_place_on_a_terminal() -> None:
    out = _Tty()
    bar = TextProgress(out, width=12)
    bar.update(_Fake({"running": 3, "queued": 9}, 12))
    bar.update(_Fake({"running": 3, "queued": 9}, 12))  # unchanged: not drawn again
    bar.update(_Fake({"completed": 6, "running": 3, "queued": 3}, 12))
    bar.close()
    text = out.getvalue()
    assert text.count("\r") == 2
    assert text.endswith("\n") and text.count("\n") == 1
    assert "demo-echo 3f2a9c0d…  [######------]  6/12  completed 6 · running 3 · queued 3" in text


def test_repr_and_mimebundle(client: bulkrun.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    b = client.submit("demo-echo", [{"message": "r"}]).wait(progress=False, poll=0.2)
    assert repr(b) == f"<Batch {b.id[:8]}… demo-echo: 1/1 completed (completed)>"
    bundle = b._repr_mimebundle_()
    assert bundle["text/plain"] == repr(b)
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"]
    # Without the widget module (no ipywidgets), text only.
    monkeypatch.setitem(sys.modules, "bulkrun.widget", None)
    assert b._repr_mimebundle_() == {"text/plain": repr(b)}


class ZMQInteractiveShell:
    """What IPython.get_ipython() answers in a Jupyter kernel, as far as wait() looks."""


def test_wait_in_jupyter_displays_the_batch_once(
    client: bulkrun.Client, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import IPython
    import IPython.display

    shown: list[object] = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: ZMQInteractiveShell())
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    b = client.submit("demo-echo", [{"message": "j"}, {"message": "k"}])
    b.wait(timeout=60, poll=0.2)
    assert b.status == "completed"
    assert shown == [b]
    assert capsys.readouterr().err == ""  # the widget shows progress, not stderr
