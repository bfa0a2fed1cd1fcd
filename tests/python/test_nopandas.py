"""Without pandas the client still works: rows are dicts in and out."""

from __future__ import annotations

import sys

import pytest

import bulkrun


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry makes `import pandas` raise ImportError, as where it is not installed.
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError):
        import pandas  # noqa: F401


def test_jobs_is_a_list_of_dicts_without_pandas(client: bulkrun.Client, no_pandas) -> None:
    b = client.submit("demo-echo", [{"message": "m0", "repeat": 2}, {"message": "m1"}])
    b.wait(timeout=60, progress=False, poll=0.2)
    jobs = b.jobs()
    assert isinstance(jobs, list)
    assert [list(j) for j in jobs] == [
        [
            "index",
            "message",
            "repeat",
            "delay",
            "status",
            "exit_code",
            "error",
            "started_at",
            "finished_at",
            "attempt",
            "wall_seconds",
            "cpu_seconds",
            "max_rss_bytes",
            "job_id",
        ]
    ] * 2
    assert [j["index"] for j in jobs] == [0, 1]
    assert [j["repeat"] for j in jobs] == [2, 1]
    assert all(type(j["repeat"]) is int for j in jobs)
    assert [j["status"] for j in jobs] == ["completed", "completed"]
    assert isinstance(jobs[0]["started_at"], str) and jobs[0]["started_at"].endswith("Z")
    assert jobs[0]["error"] is None and jobs[0]["exit_code"] == 0
    assert b.results()[1]["message"] == "m1"
    with pytest.raises(ImportError):
        b.jobs(as_frame=True)
