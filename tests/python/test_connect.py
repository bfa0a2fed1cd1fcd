"""connect(): the environment, the user's own server by its connection file, a Unix
socket, a refused world-readable file, and starting a server where none runs."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Iterator

import pytest

import bulkrun
from bulkrun import _connection

from conftest import TOKEN, start_server


def test_connect_finds_the_server_by_its_connection_file(
    server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BULKRUN_DATA_DIR", str(server.data_dir))
    monkeypatch.delenv("BULKRUN_URL", raising=False)
    monkeypatch.delenv("BULKRUN_TOKEN", raising=False)
    c = bulkrun.connect()
    try:
        assert c.url == server.url
        assert c.token == TOKEN
        assert "demo-echo" in {a["id"] for a in c.apps()}
    finally:
        c.close()
    # The module functions go the same way.
    assert bulkrun.batches() is not None
    assert bulkrun._default is not None and bulkrun._default.url == server.url


def test_environment_wins_over_the_connection_file(
    server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A data dir whose file names a dead server: never read when BULKRUN_URL is set.
    monkeypatch.setenv("BULKRUN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BULKRUN_URL", server.url)
    monkeypatch.setenv("BULKRUN_TOKEN", server.token)
    with bulkrun.connect() as c:
        assert c.url == server.url
        assert c.apps()


def _write_connection(data_dir: Path, info: dict, mode: int) -> Path:
    run = data_dir / "run"
    run.mkdir(parents=True, exist_ok=True)
    path = run / "server.json"
    path.write_text(json.dumps(info))
    os.chmod(path, mode)
    return path


def test_world_readable_connection_file_is_refused(
    server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    info = json.loads((server.data_dir / "run" / "server.json").read_text())
    path = _write_connection(tmp_path / "data", info, 0o644)
    monkeypatch.setenv("BULKRUN_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(bulkrun.BulkrunError) as err:
        bulkrun.connect()
    assert err.value.code == "insecure_connection_file"
    assert str(path) in str(err.value) and "0644" in str(err.value)
    # Group-readable is refused too; the owner's 0600 is what the server writes.
    os.chmod(path, 0o640)
    with pytest.raises(bulkrun.BulkrunError):
        bulkrun.connect()
    os.chmod(path, 0o600)
    with bulkrun.connect() as c:
        assert c.url == server.url and c.apps()


def test_connect_over_a_unix_socket(tmp_path: Path) -> None:
    sock = tmp_path / "s.sock"
    srv = start_server(tmp_path / "sockdata", "sock-token", "--unix-socket", str(sock))
    try:
        assert srv.url == f"unix:{sock}"
        with bulkrun.connect(srv.url, "sock-token") as c:
            assert "demo-echo" in {a["id"] for a in c.apps()}
            b = c.submit("demo-echo", [{"message": "over a socket"}])
            b.wait(timeout=60, progress=False, poll=0.2)
            assert b.results() == [{"message": "over a socket", "repeat": 1, "row": "0"}]
    finally:
        srv.stop()


@pytest.fixture
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data dir with no server; whatever server a test starts on it is stopped after."""
    data = tmp_path / "fresh"
    monkeypatch.setenv("BULKRUN_DATA_DIR", str(data))
    # Should the teardown below not run, the server still stops by itself.
    monkeypatch.setenv("BULKRUN_IDLE_EXIT", "120")
    yield data
    try:
        pid = json.loads((data / "run" / "server.json").read_text())["pid"]
    except (FileNotFoundError, ValueError, KeyError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while _connection.pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _connection.pid_alive(pid):
        os.kill(pid, signal.SIGKILL)


def test_connect_starts_a_server_where_none_runs(fresh_data_dir: Path) -> None:
    assert not (fresh_data_dir / "run" / "server.json").exists()
    c = bulkrun.connect()
    try:
        info = json.loads((fresh_data_dir / "run" / "server.json").read_text())
        assert _connection.pid_alive(info["pid"])
        assert c.url == info["url"] and c.url.startswith("unix:")
        assert "demo-echo" in {a["id"] for a in c.apps()}
        b = c.submit("demo-echo", [{"message": "started for me"}])
        assert b.wait(timeout=60, progress=False, poll=0.2).status == "completed"
        # A second connect() finds the same server instead of starting another.
        with bulkrun.connect() as again:
            assert again.url == c.url
            assert b.id in [x.id for x in again.batches()]
        now = json.loads((fresh_data_dir / "run" / "server.json").read_text())
        assert now["pid"] == info["pid"]
    finally:
        c.close()


def test_stale_connection_file_starts_a_new_server(fresh_data_dir: Path) -> None:
    # A server that died without removing its file (kill -9): a dead pid, no answer.
    _write_connection(
        fresh_data_dir,
        {"pid": 2**22 + 12345, "url": "unix:/nonexistent/dead.sock", "token": "old"},
        0o600,
    )
    with bulkrun.connect() as c:
        assert c.url != "unix:/nonexistent/dead.sock"
        assert c.apps()
