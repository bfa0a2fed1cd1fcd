"""Submitting batches from DataFrames and lists, waiting, and reading what they did."""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd
import pytest
from pandas.api import types as ptypes

import bulkrun
from bulkrun import _rows


def test_apps_lists_the_demo_and_test_apps(client: bulkrun.Client) -> None:
    ids = {a["id"] for a in client.apps()}
    assert {"demo-echo", "demo-fail", "demo-sleep", "demo-merge", "t-flaky", "t-typed"} <= ids
    echo = client.app("demo-echo")
    assert echo["id"] == "demo-echo"
    assert "message" in echo["parameters"]["properties"]


def test_submit_dataframe_wait_results_and_jobs(client: bulkrun.Client) -> None:
    df = pd.DataFrame({"message": ["first", "second", "third"], "repeat": [1, 2, 3]})
    b = client.submit("demo-echo", df, label="from a frame")
    assert isinstance(b, bulkrun.Batch)
    assert b.total == 3 and b.app == "demo-echo" and b.label == "from a frame"

    assert b.wait(timeout=60, progress=False, poll=0.2) is b
    assert b.status == "completed" and b.done
    assert b.counts["completed"] == 3

    results = b.results()
    assert [r["message"] for r in results] == ["first", "second", "third"]
    assert [r["repeat"] for r in results] == [1, 2, 3]

    jobs = b.jobs()
    assert isinstance(jobs, pd.DataFrame)
    assert list(jobs.columns) == [
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
    assert list(jobs["index"]) == [0, 1, 2]
    assert ptypes.is_integer_dtype(jobs["index"])
    assert ptypes.is_integer_dtype(jobs["repeat"]), jobs.dtypes
    assert list(jobs["repeat"]) == [1, 2, 3]
    assert list(jobs["message"]) == ["first", "second", "third"]
    assert ptypes.is_datetime64_any_dtype(jobs["started_at"])
    assert ptypes.is_datetime64_any_dtype(jobs["finished_at"])
    assert str(jobs["started_at"].dt.tz) == "UTC"
    assert (jobs["finished_at"] >= jobs["started_at"]).all()
    assert list(jobs["status"]) == ["completed"] * 3
    assert ptypes.is_integer_dtype(jobs["exit_code"]) and list(jobs["exit_code"]) == [0, 0, 0]
    assert jobs["error"].isna().all()
    assert list(jobs["attempt"]) == [1, 1, 1]
    # Measured by the wrapper: numbers for every finished row.
    assert ptypes.is_numeric_dtype(jobs["wall_seconds"]) and (jobs["wall_seconds"] >= 0).all()
    assert ptypes.is_integer_dtype(jobs["max_rss_bytes"]) and (jobs["max_rss_bytes"] > 0).all()
    assert len(set(jobs["job_id"])) == 3

    # The same rows as dicts on request.
    listed = b.jobs(as_frame=False)
    assert [j["message"] for j in listed] == ["first", "second", "third"]
    assert isinstance(listed[0]["started_at"], str)


def test_submit_list_with_numpy_values_and_gaps(client: bulkrun.Client) -> None:
    rows = [
        {"message": np.str_("a"), "repeat": np.int64(2), "delay": np.float64(0.0)},
        {"message": "b", "repeat": None, "delay": float("nan")},  # not set: defaults
        {"message": "c", "repeat": pd.NA},
    ]
    b = client.submit("demo-echo", rows)
    b.wait(timeout=60, progress=False, poll=0.2)
    assert b.status == "completed"
    jobs = b.jobs()
    assert list(jobs["repeat"]) == [2, 1, 1]  # the app's default filled the gaps
    assert ptypes.is_integer_dtype(jobs["repeat"])
    assert [r["message"] for r in b.results()] == ["a", "b", "c"]


def test_module_functions_use_the_environment(
    server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULKRUN_URL", server.url)
    monkeypatch.setenv("BULKRUN_TOKEN", server.token)
    assert "demo-echo" in {a["id"] for a in bulkrun.apps()}
    b = bulkrun.submit("demo-echo", [{"message": "module"}])
    again = bulkrun.batch(b.id)
    assert again.id == b.id and again.app == "demo-echo"
    assert b.id in [x.id for x in bulkrun.batches()]
    assert bulkrun._default is not None and bulkrun._default.url == server.url


def test_batches_lists_newest_first_with_limit_and_status(client: bulkrun.Client) -> None:
    first = client.submit("demo-echo", [{"message": "one"}]).wait(progress=False, poll=0.2)
    second = client.submit("demo-echo", [{"message": "two"}]).wait(progress=False, poll=0.2)
    newest = client.batches(limit=2)
    assert [b.id for b in newest] == [second.id, first.id]
    assert all(isinstance(b, bulkrun.Batch) for b in newest)
    completed = client.batches(status="completed")
    assert {first.id, second.id} <= {b.id for b in completed}
    assert all(b.status == "completed" for b in completed)
    assert len(client.batches(limit=1)) == 1


def test_batches_follows_cursors(client: bulkrun.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    made = [client.submit("demo-echo", [{"message": f"page {i}"}]) for i in range(3)]
    everything = {b.id for b in client.batches()}
    # Pages of one batch each: the cursor must be followed to find them all.
    import bulkrun.client as client_module

    monkeypatch.setattr(client_module, "_BATCHES_PAGE", 1)
    paged = client.batches()
    assert {b.id for b in paged} == everything and len(paged) == len(everything)
    assert [b.id for b in client.batches(limit=3)] == [b.id for b in reversed(made)]
    for b in made:
        b.wait(progress=False, poll=0.2)


def test_shared_resources_fan_in_and_base_dir_reach_the_server(
    client: bulkrun.Client, tmp_path
) -> None:
    b = client.submit(
        "demo-echo",
        [{"message": "x"}, {}],
        shared={"message": "shared", "repeat": np.int32(2)},
        resources={"memory": "200M", "walltime": "01:00:00"},
        fan_in="demo-merge",
        max_parallel=1,
        max_retries=0,
        priority=5,
        base_dir=tmp_path,
    )
    rec = b.record
    assert rec["resources"]["memory"] == "200M"
    assert rec["resources"]["walltime"] == "01:00:00"
    assert rec["fanIn"]["app"] == "demo-merge"
    assert rec["maxParallel"] == 1 and rec["maxRetries"] == 0 and rec["priority"] == 5
    b.wait(timeout=60, progress=False, poll=0.2)
    # A row's own value wins over the shared one.
    assert [r["message"] for r in b.results()] == ["x", "shared"]
    assert list(b.jobs()["repeat"]) == [2, 2]


def test_idempotency_key_answers_the_same_batch(client: bulkrun.Client) -> None:
    key = f"python-test-{os.getpid()}"
    a = client.submit("demo-echo", [{"message": "once"}], idempotency_key=key)
    b = client.submit("demo-echo", [{"message": "once"}], idempotency_key=key)
    assert a.id == b.id
    a.wait(progress=False, poll=0.2)


def test_fan_in_as_dict_and_result(client: bulkrun.Client) -> None:
    b = client.submit(
        "demo-echo",
        [{"message": "m0"}, {"message": "m1"}, {"message": "m2"}],
        fan_in={"app": "demo-merge", "params": {"title": "summary"}, "when": "all_completed"},
    )
    b.wait(timeout=60, progress=False, poll=0.2)
    assert b.status == "completed"
    merged = b.fan_in_result()
    assert merged["title"] == "summary"
    assert merged["rows"] == 3
    assert merged["messages"] == ["m0", "m1", "m2"]
    # The fan-in is not a row of jobs().
    assert len(b.jobs()) == 3


def test_fan_in_result_is_none_without_fan_in(client: bulkrun.Client) -> None:
    b = client.submit("demo-echo", [{"message": "alone"}]).wait(progress=False, poll=0.2)
    assert b.fan_in_result() is None


def test_logs_of_a_row(client: bulkrun.Client) -> None:
    big = "y" * 5000
    b = client.submit(
        "demo-echo",
        [{"message": "hello logs"}, {"message": big, "repeat": 100}],
    )
    b.wait(timeout=60, progress=False, poll=0.2)
    assert "hello logs" in b.logs(0)
    assert b.logs(0, stream="stderr") == ""
    # 500 kB: more than one chunk of the logs endpoint (256 kB), so pages are followed.
    out = b.logs(1)
    assert out.count(big + "\n") == 100
    with pytest.raises(bulkrun.BulkrunError) as err:
        b.logs(7)
    assert err.value.code == "not_found"


def test_stderr_log_of_a_failed_row(client: bulkrun.Client) -> None:
    b = client.submit("demo-fail", [{"message": "broken on purpose"}])
    b.wait(timeout=60, progress=False, poll=0.2)
    assert b.status == "error"
    assert "broken on purpose" in b.logs(0, stream="stderr")
    jobs = b.jobs()
    assert list(jobs["error"]) == ["job_crashed"]
    assert list(jobs["exit_code"]) == [1]
    assert b.results() == [None]


def test_jobs_keeps_types_and_renames_colliding_params(client: bulkrun.Client) -> None:
    b = client.submit(
        "t-typed",
        [
            {"n": 1, "k": 10, "x": 0.5, "status": "a"},
            {"n": 2, "x": 1.0},
            {"n": 3, "k": 30, "x": 2},
        ],
    )
    b.wait(timeout=60, progress=False, poll=0.2)
    jobs = b.jobs()
    assert list(jobs.columns[:5]) == ["index", "n", "k", "x", "param_status"]
    assert str(jobs["n"].dtype) == "int64"
    # Some rows lack k: a nullable integer column, not floats.
    assert str(jobs["k"].dtype) == "Int64"
    assert jobs["k"].tolist()[0] == 10 and pd.isna(jobs["k"][1])
    assert str(jobs["x"].dtype) == "float64"
    assert jobs["param_status"].tolist()[0] == "a"
    assert list(jobs["status"]) == ["completed"] * 3
    listed = b.jobs(as_frame=False)
    assert listed[1]["k"] is None and listed[0]["param_status"] == "a"


def test_to_params_keeps_python_types() -> None:
    df = pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [1.0, 2.5, float("nan")],
            "s": ["a", None, "c"],
            "b": [True, False, True],
            "n": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    params = _rows.to_params(df)
    assert params[0] == {"i": 1, "f": 1.0, "s": "a", "b": True, "n": 1}
    assert type(params[0]["i"]) is int
    assert type(params[0]["f"]) is float  # from a float column: stays a float
    assert type(params[0]["b"]) is bool
    assert type(params[0]["n"]) is int
    assert params[1] == {"i": 2, "f": 2.5, "b": False}  # None / NA: left out
    assert params[2] == {"i": 3, "s": "c", "b": True, "n": 3}  # NaN: left out
    listed = _rows.to_params([{"a": np.int64(4), "b": np.float32(0.5), "c": np.bool_(False)}])
    assert listed == [{"a": 4, "b": 0.5, "c": False}]
    assert [type(v) for v in listed[0].values()] == [int, float, bool]
    stamp = pd.Timestamp("2024-01-02", tz="UTC")
    assert _rows.to_params([{"l": np.array([1, 2]), "t": stamp, "u": pd.NaT}]) == [
        {"l": [1, 2], "t": "2024-01-02T00:00:00+00:00"}
    ]
    with pytest.raises(TypeError):
        _rows.to_params({"message": "a dict is not a list of rows"})
    with pytest.raises(TypeError):
        _rows.to_params([{"x": object()}])
    with pytest.raises(ValueError):
        _rows.to_params([{"x": math.inf}])
