"""Finding the server to talk to: the environment, else the user's own server on this
machine, found by its private connection file and started when none runs.

docs/SERVER.md describes the files in ``<data dir>/run/``: ``server.json`` holds
``{pid, url, dataDir, version, startedAt, token}`` of the running server, mode 0600.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ._http import Http
from .errors import BulkrunError

# `attach` waits up to 60 s for the server it starts (its --start-timeout); leave it room.
_START_TIMEOUT = 90.0

# A live server that has not answered yet (it is starting) gets this long before another
# is started.
_GRACE = 5.0


@dataclass(frozen=True)
class Target:
    """A server to connect to and the token it wants."""

    url: str
    token: Optional[str]
    source: str
    """Where it came from, for messages: ``argument``, ``BULKRUN_URL`` or the file's path."""


@dataclass(frozen=True)
class ServerInfo:
    """The contents of a ``server.json``."""

    path: Path
    pid: int
    url: str
    token: Optional[str]
    data_dir: Optional[str] = None
    version: Optional[str] = None
    started_at: Optional[str] = None


def _runtime():
    """jupyterlab_bulkrun.runtime, which knows the data dir and the server program."""
    try:
        from jupyterlab_bulkrun import runtime  # noqa: PLC0415 (heavy: jupyter_core)
    except ImportError as exc:
        raise BulkrunError(
            "server_unavailable",
            "No server given and the jupyterlab-bulkrun package cannot be imported to "
            f"find or start one ({exc}): set BULKRUN_URL and BULKRUN_TOKEN, or pass "
            "url= and token= to bulkrun.connect()",
        ) from None
    return runtime


def connection_file(data_dir: str) -> Path:
    return Path(data_dir) / "run" / "server.json"


def read_server_json(path: Path) -> Optional[ServerInfo]:
    """The connection file's contents; ``None`` if it is missing or half-written.

    A file that others could read (or that is not the user's) is refused: its token is
    the only key to the server and may have been seen.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BulkrunError(
            "server_unavailable", f"Cannot read the Bulkrun connection file {path}: {exc}"
        ) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if st.st_uid != os.getuid() or st.st_mode & 0o077:
            raise BulkrunError(
                "insecure_connection_file",
                f"Refusing the Bulkrun connection file {path}: it is "
                + (
                    "not yours"
                    if st.st_uid != os.getuid()
                    else f"readable by other users (mode {stat.S_IMODE(st.st_mode):04o})"
                )
                + ", so the server token in it may have been seen. Stop that server, "
                "make its run directory private (chmod 700 on the directory, chmod 600 "
                "on its files) and connect again, or set BULKRUN_URL and BULKRUN_TOKEN.",
            )
        raw = f.read()
    try:
        data = json.loads(raw)
        return ServerInfo(
            path=path,
            pid=int(data["pid"]),
            url=str(data["url"]),
            token=data.get("token"),
            data_dir=data.get("dataDir"),
            version=data.get("version"),
            started_at=data.get("startedAt"),
        )
    except (ValueError, KeyError, TypeError):
        return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


def _answers(info: ServerInfo, wait: float = 0.0) -> bool:
    """Whether the file's server is alive and answers, giving a starting one ``wait`` s."""
    if not pid_alive(info.pid):
        return False
    http = Http(info.url)
    try:
        deadline = time.monotonic() + wait
        while True:
            if http.answers():
                return True
            if time.monotonic() >= deadline or not pid_alive(info.pid):
                return False
            time.sleep(0.2)
    finally:
        http.close()


def _start(data: str) -> None:
    """Runs ``bulkrun attach --detach``: starts the data dir's server as a detached
    process if none runs and returns once it answers (kernel-ext/src/cli/commands/attach.ts)."""
    runtime = _runtime()
    try:
        argv = [
            *runtime.server_program(),
            "attach",
            "--data-dir",
            data,
            "--unix-socket",
            runtime.socket_path(data),
            "--detach",
        ]
    except (runtime.RuntimeMissing, OSError) as exc:
        raise BulkrunError(
            "server_unavailable", f"Cannot start the Bulkrun server: {exc}"
        ) from None
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_START_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise BulkrunError(
            "server_unavailable",
            f"The Bulkrun server for {data} did not start within {_START_TIMEOUT:.0f} s; "
            f"see {Path(data) / 'run' / 'server.log'}",
        ) from None
    except OSError as exc:
        raise BulkrunError(
            "server_unavailable", f"Cannot start the Bulkrun server ({argv[0]}): {exc}"
        ) from None
    if done.returncode != 0:
        said = "\n".join((done.stderr or done.stdout or "").strip().splitlines()[-20:])
        raise BulkrunError(
            "server_unavailable",
            f"Starting the Bulkrun server for {data} failed (exit code {done.returncode})"
            + (f":\n{said}" if said else "")
            + "\nFix the problem above, or set BULKRUN_URL and BULKRUN_TOKEN to use "
            "another server.",
        )


def local_server(data: Optional[str] = None, *, start: bool = True) -> ServerInfo:
    """The user's own server on the data dir, started if none answers."""
    data = os.path.abspath(data or _runtime().data_dir())
    path = connection_file(data)
    info = read_server_json(path)
    if info is not None and _answers(info, wait=_GRACE):
        return info
    if not start:
        raise BulkrunError(
            "server_unavailable",
            f"No Bulkrun server runs on {data}: start one (bulkrun serve, or open "
            "JupyterLab), or set BULKRUN_URL and BULKRUN_TOKEN",
        )
    _start(data)
    # The new server answers a moment before it replaces server.json, so a stale file
    # (its server killed) may still be there when attach returns: wait for the new one.
    deadline = time.monotonic() + _GRACE
    while True:
        info = read_server_json(path)
        if info is not None and _answers(info):
            return info
        if time.monotonic() >= deadline:
            raise BulkrunError(
                "server_unavailable",
                f"The Bulkrun server for {data} was started but "
                + (f"{path} is missing" if info is None else f"does not answer on {info.url}")
                + f"; see {Path(data) / 'run' / 'server.log'}, or set BULKRUN_URL and "
                "BULKRUN_TOKEN to use another server",
            )
        time.sleep(0.1)


def resolve(url: Optional[str] = None, token: Optional[str] = None) -> Target:
    """The server :func:`bulkrun.connect` talks to: ``url``, else ``$BULKRUN_URL``, else
    the user's own server (whose token comes from its connection file)."""
    env_token = os.environ.get("BULKRUN_TOKEN") or None
    if url:
        return Target(url=url, token=token or env_token, source="argument")
    env_url = os.environ.get("BULKRUN_URL")
    if env_url:
        return Target(url=env_url, token=token or env_token, source="BULKRUN_URL")
    # $BULKRUN_TOKEN belongs with $BULKRUN_URL; the own server's token is in its file.
    info = local_server()
    return Target(url=info.url, token=token or info.token, source=str(info.path))
