"""jupyter-server-proxy entry point: serves this user's Bulkrun server at /bulkrun/.

The process Jupyter supervises is `bulkrun attach`, not the server itself: it starts the
server for the data dir as a detached process if none runs, waits until it answers, and
then holds a lease on it until Jupyter stops it. So stopping or culling the Jupyter
server stops no job management: the server goes on with the rows, fan-ins, retries and
the reaper, and the next Jupyter server attaches to the same one (one server per data
dir, kept by a lock; docs/SERVER.md).

The server listens on a private Unix socket (in a 0700 dir) and requires its token on
every request. The token lives in the data dir's run dir (mode 0600) so it survives
restarts; the proxy adds it to every proxied request and WebSocket handshake
(jupyter-server-proxy applies `request_headers_override` to both), so the browser only
ever needs its Jupyter credentials.
"""

from __future__ import annotations

import os

from . import runtime


def _literal(value: str) -> str:
    """Escapes braces: jupyter-server-proxy formats every command string as a template."""
    return value.replace("{", "{{").replace("}", "}}")


def setup_bulkrun() -> dict:
    """Server process spec for jupyter-server-proxy (served at <base_url>/bulkrun/)."""
    data = os.path.abspath(runtime.data_dir())
    token = runtime.server_token(data)
    sock = runtime.socket_path(data)
    command = [
        *runtime.server_program(),
        "attach",
        "--data-dir",
        data,
        "--unix-socket",
        sock,
    ]
    return {
        "command": [_literal(arg) for arg in command],
        "unix_socket": sock,
        "environment": {},
        "request_headers_override": {"Authorization": f"token {token}"},
        "timeout": 60,
        "absolute_url": False,
        "launcher_entry": {"enabled": False},
    }
