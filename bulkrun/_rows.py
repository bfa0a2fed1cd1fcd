"""Rows in and out: what a user passes to ``submit`` becomes the JSON ``params`` of a
batch, and a batch's jobs become a table (a pandas DataFrame, or a list of dicts).

pandas is optional: nothing here imports it unless a DataFrame is asked for, and
values are recognised by duck typing so numpy need not be importable either.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from typing import Any, Iterable, Mapping, Optional

# Columns of Batch.jobs(); a parameter with one of these names gets a ``param_`` prefix.
FIXED_HEAD = ("index",)
FIXED_TAIL = (
    "status",
    "exit_code",
    "error",
    "started_at",
    "finished_at",
    "attempt",
    # What the finished job used (docs/SEMANTICS.md "Usage"); NaN while unknown.
    "wall_seconds",
    "cpu_seconds",
    "max_rss_bytes",
    "job_id",
)
FIXED = frozenset(FIXED_HEAD + FIXED_TAIL)
TIME_COLUMNS = ("started_at", "finished_at")


class _Missing:
    """A value that means "not set": the key is left out of the row."""

    def __repr__(self) -> str:
        return "<not set>"


MISSING = _Missing()


def import_pandas() -> Any:
    """pandas, or ``None`` where it is not installed (or blocked by
    ``sys.modules['pandas'] = None``)."""
    try:
        import pandas  # noqa: PLC0415 (optional dependency)
    except ImportError:
        return None
    return pandas


def is_dataframe(value: Any) -> bool:
    # Duck-typed so that checking a plain list never imports pandas.
    return (
        type(value).__module__.split(".")[0] == "pandas"
        and hasattr(value, "columns")
        and hasattr(value, "to_dict")
    )


def _is_numpy(value: Any) -> bool:
    return type(value).__module__.split(".")[0] == "numpy"


def clean_value(value: Any, where: str = "value") -> Any:
    """A JSON value with the Python type the user meant, or :data:`MISSING`.

    None, NaN, ``pd.NA`` and ``NaT`` are "not set". numpy scalars become the matching
    Python int/float/bool, so ints stay ints and floats stay floats (a float column's
    2.0 is sent as 2.0: its type is what the user's data has). Datetimes become ISO
    strings, paths strings; lists and dicts are cleaned inside (a missing value there
    is null).
    """
    if value is None:
        return MISSING
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return MISSING
    if _is_numpy(value):
        if name in ("datetime64", "timedelta64"):
            return MISSING if str(value) == "NaT" else str(value)
        if getattr(value, "shape", None) == () and hasattr(value, "item"):
            value = value.item()
        elif hasattr(value, "tolist"):  # an array: a list parameter
            value = value.tolist()
    if isinstance(value, bool) or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return MISSING
        if math.isinf(value):
            raise ValueError(f"{where}: {value} is not a number JSON can carry")
        return value
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            c = clean_value(v, f"{where}.{k}")
            out[str(k)] = None if c is MISSING else c
        return out
    if isinstance(value, (list, tuple)):
        cleaned = [clean_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return [None if c is MISSING else c for c in cleaned]
    raise TypeError(
        f"{where}: a {type(value).__name__} cannot be sent to the server "
        "(use str, int, float, bool, a list or a dict)"
    )


def clean_mapping(row: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A row's dict with its "not set" values left out."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        c = clean_value(value, f"{where}, {key}")
        if c is not MISSING:
            out[str(key)] = c
    return out


def to_params(rows: Any) -> list[dict[str, Any]]:
    """The ``params`` list of ``POST /batches`` from a DataFrame or a list of dicts."""
    if is_dataframe(rows):
        records: Iterable[Any] = rows.to_dict(orient="records")
    elif isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise TypeError(
            "rows must be a list of dicts (one per row) or a pandas DataFrame, "
            f"not {type(rows).__name__}"
        )
    else:
        records = rows
    params = []
    for i, row in enumerate(records):
        if not isinstance(row, Mapping):
            raise TypeError(
                f"row {i}: a row must be a dict of parameters, not {type(row).__name__}"
            )
        params.append(clean_mapping(row, f"row {i}"))
    return params


# ---------------------------------------------------------------- the jobs table


def _param_columns(jobs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(parameter, column) pairs: the union of the jobs' params, in first-seen order."""
    seen: dict[str, None] = {}
    for job in jobs:
        for key in (job.get("params") or {}).keys():
            seen.setdefault(key, None)
    return [(key, f"param_{key}" if key in FIXED else key) for key in seen]


def job_rows(jobs: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and one dict per job: index, the params flattened in, then the
    job's state. Times stay as the server's ISO strings (or None)."""
    params = _param_columns(jobs)
    columns = [*FIXED_HEAD, *(col for _, col in params), *FIXED_TAIL]
    rows = []
    for job in jobs:
        p = job.get("params") or {}
        err = job.get("error")
        usage = job.get("usage") or {}
        row: dict[str, Any] = {"index": job.get("index")}
        for key, col in params:
            row[col] = p.get(key)
        row.update(
            status=job.get("status"),
            exit_code=job.get("exitCode"),
            error=err.get("code") if isinstance(err, dict) else err,
            started_at=job.get("startedAt"),
            finished_at=job.get("finishedAt"),
            attempt=job.get("attempt"),
            wall_seconds=usage.get("wallSeconds"),
            cpu_seconds=usage.get("cpuSeconds"),
            max_rss_bytes=usage.get("maxRssBytes"),
            job_id=job.get("id"),
        )
        rows.append(row)
    return columns, rows


def _column(pd: Any, values: list[Any]) -> Any:
    """A Series whose dtype keeps the values' type: int64 when every row has an int,
    Int64 when some lack one, float64 for numbers, bool/boolean likewise, else what
    pandas infers (object for mixed or nested values)."""
    present = [v for v in values if v is not None]
    complete = len(present) == len(values)
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="bool" if complete else "boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="int64" if complete else "Int64")
    if present and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in present
    ):
        return pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
    if present and any(isinstance(v, (list, dict)) for v in present):
        return pd.Series(values, dtype="object")
    return pd.Series(values)


def _times(pd: Any, values: list[Optional[str]]) -> Any:
    series = pd.Series(values, dtype="object")
    try:
        return pd.to_datetime(series, utc=True, format="ISO8601")
    except (TypeError, ValueError):  # pandas < 2 has no format="ISO8601"
        return pd.to_datetime(series, utc=True)


def job_frame(pd: Any, jobs: list[dict[str, Any]]) -> Any:
    """The jobs as a DataFrame with the columns of :func:`job_rows`."""
    columns, rows = job_rows(jobs)
    data = {}
    for col in columns:
        values = [row[col] for row in rows]
        data[col] = _times(pd, values) if col in TIME_COLUMNS else _column(pd, values)
    return pd.DataFrame(data, columns=columns)
