"""Every failure is a BulkrunError with the server's code, message and details."""

from __future__ import annotations

import http.server
import pickle
import socket
import threading
from typing import Iterator

import httpx
import pytest

import bulkrun
from bulkrun._http import parse_url


def test_preflight_lists_every_problem_and_creates_nothing(client: bulkrun.Client) -> None:
    before = len(client.batches())
    rows = [{"n": 1}, {"n": 2}, {"k": 3}, {"n": "three"}]  # row 2: no n; row 3: n not an int
    with pytest.raises(bulkrun.BulkrunError) as info:
        client.submit("t-typed", rows)
    err = info.value
    assert err.code == "validation_failed"
    assert err.status == 400
    problems = {(d["row"], d["field"]) for d in err.details}
    assert problems == {(2, "n"), (3, "n")}
    lines = str(err).splitlines()
    assert lines[0] == err.message
    assert any(line.startswith("row 2, n: ") and "required" in line for line in lines[1:])
    assert any(line.startswith("row 3, n: ") and "integer" in line for line in lines[1:])
    assert len(client.batches()) == before


def test_not_found_and_unknown_app(client: bulkrun.Client) -> None:
    with pytest.raises(bulkrun.BulkrunError) as info:
        client.batch("nosuchbatch")
    assert info.value.code == "not_found" and info.value.status == 404
    with pytest.raises(bulkrun.BulkrunError) as info:
        client.submit("no-such-app", [{}])
    assert info.value.status is not None and info.value.status >= 400
    assert "no-such-app" in str(info.value)


def test_wrong_token_is_the_servers_error(server) -> None:
    with bulkrun.connect(server.url, "not-the-token") as c:
        with pytest.raises(bulkrun.BulkrunError) as info:
            c.apps()
    assert info.value.code == "unauthorized" and info.value.status == 401


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_server_is_server_unavailable() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with bulkrun.connect(url, "x") as c:
        with pytest.raises(bulkrun.BulkrunError) as info:
            c.apps()
    err = info.value
    assert err.code == "server_unavailable"
    assert url in str(err)
    assert not isinstance(err, httpx.HTTPError)
    assert err.__cause__ is None and err.__suppress_context__


def test_missing_socket_is_server_unavailable(tmp_path) -> None:
    with bulkrun.connect(f"unix:{tmp_path / 'none.sock'}", "x") as c:
        with pytest.raises(bulkrun.BulkrunError) as info:
            c.batches()
    assert info.value.code == "server_unavailable"
    assert "none.sock" in str(info.value)


class _Proxy502(http.server.BaseHTTPRequestHandler):
    """A proxy in front of a dead server: an HTML error page."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def proxy_url() -> Iterator[str]:
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Proxy502)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/bulkrun"
    httpd.shutdown()
    httpd.server_close()


def test_non_json_error_is_http_status(proxy_url: str) -> None:
    with bulkrun.connect(proxy_url, "x") as c:
        with pytest.raises(bulkrun.BulkrunError) as info:
            c.apps()
    assert info.value.code == "http_502" and info.value.status == 502
    assert "Bad Gateway" in str(info.value)


def test_invalid_url_is_a_bulkrun_error() -> None:
    with pytest.raises(bulkrun.BulkrunError) as info:
        bulkrun.connect("ftp://example.org", "x")
    assert info.value.code == "invalid_url"


def test_url_forms() -> None:
    assert parse_url("http://h:1/bulkrun/").prefix == "/bulkrun"
    assert parse_url("https://h/user/me/bulkrun/api/v1").prefix == "/user/me/bulkrun"
    unix = parse_url("unix:/tmp/s.sock")
    assert unix.uds == "/tmp/s.sock" and unix.base_url == "http://localhost"
    assert parse_url("unix:///tmp/s.sock").uds == "/tmp/s.sock"


def test_error_str_and_pickle() -> None:
    err = bulkrun.BulkrunError(
        "validation_failed",
        "Invalid request",
        [
            {"row": 2, "field": "message", "message": "is required"},
            {"row": None, "field": "app", "message": "x"},
        ],
        400,
    )
    assert str(err) == "Invalid request\nrow 2, message: is required\napp: x"
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.code, copy.message, copy.details, copy.status) == (
        err.code,
        err.message,
        err.details,
        err.status,
    )
