"""jupyter-server-proxy entry point: runs the Bulkrun Node server behind Jupyter's auth.

The server listens on a private Unix socket and requires its own token on every request.
The token is made once per Jupyter server process, handed to the server in its
environment, and added by the proxy to every proxied request and WebSocket handshake
(jupyter-server-proxy applies `request_headers_override` to both), so the browser only
ever needs its Jupyter credentials.
"""

from __future__ import annotations

import os
import secrets
import shlex
import shutil
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir

# One token per Jupyter server process; this module is imported once per process.
_TOKEN = secrets.token_urlsafe(32)

_REPO_CLI = Path(__file__).resolve().parent.parent / "kernel-ext" / "bin" / "bulkrun.js"


def server_token() -> str:
    """The token the proxied server accepts from this Jupyter server."""
    return _TOKEN


def data_dir() -> str:
    """Jobs database and work dirs: $BULKRUN_DATA_DIR, else <jupyter data dir>/bulkrun."""
    return os.environ.get("BULKRUN_DATA_DIR") or os.path.join(jupyter_data_dir(), "bulkrun")


def server_program() -> list[str]:
    """The argv that starts the CLI, before `serve ...`.

    $BULKRUN_SERVER_CMD wins (split like a shell would, e.g. "node /opt/bulkrun/bin/bulkrun.js");
    then the CLI in this source tree (editable install); then `bulkrun` on PATH.
    """
    override = os.environ.get("BULKRUN_SERVER_CMD")
    if override:
        return shlex.split(override)
    if _REPO_CLI.is_file():
        return [shutil.which("node") or "node", str(_REPO_CLI)]
    installed = shutil.which("bulkrun")
    if installed:
        return [installed]
    # Nothing found: keep the source-tree path so the proxy's start error names it.
    return ["node", str(_REPO_CLI)]


def _literal(value: str) -> str:
    """Escapes braces: jupyter-server-proxy formats every command string as a template."""
    return value.replace("{", "{{").replace("}", "}}")


def setup_bulkrun() -> dict:
    """Server process spec for jupyter-server-proxy (served at <base_url>/bulkrun/)."""
    return {
        "command": [
            *(_literal(arg) for arg in server_program()),
            "serve",
            "--unix-socket",
            "{unix_socket}",
            "--data-dir",
            _literal(data_dir()),
        ],
        "unix_socket": True,
        "environment": {"BULKRUN_SERVER_TOKEN": _TOKEN},
        "request_headers_override": {"Authorization": f"token {_TOKEN}"},
        "timeout": 30,
        "absolute_url": False,
        "launcher_entry": {"enabled": False},
    }
