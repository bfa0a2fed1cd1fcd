"""A real Bulkrun server for the Python client's tests (no mocks).

One server for the whole session (`bulkrun serve --port 0`, its own data dir and token),
with the demo apps of kernel-ext/apps and the small test apps written below.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the suite runs from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

import bulkrun  # noqa: E402
from jupyterlab_bulkrun import runtime  # noqa: E402

CLI = ROOT / "kernel-ext" / "bin" / "bulkrun.js"
TOKEN = "python-client-test-token"

# Test apps: argv templates run by bash (parameters arrive as $1, never in the script).
TEST_APPS = {
    # Fails its first attempt when fail is true, so a retry succeeds.
    "t-flaky": {
        "id": "t-flaky",
        "version": "1.0.0",
        "title": "Fail the first attempt",
        "description": "Exits 3 on its first attempt when fail is true; writes {attempt}.",
        "command": [
            "bash",
            "-c",
            'if [ "$1" = true ] && [ "$BULKRUN_ATTEMPT" = 1 ]; then '
            'echo "failing attempt $BULKRUN_ATTEMPT" >&2; exit 3; fi; '
            'echo "attempt $BULKRUN_ATTEMPT ok"; '
            "printf '{\"attempt\": %s}' \"$BULKRUN_ATTEMPT\" > \"$BULKRUN_OUTPUT\"",
            "t-flaky",
            "{fail}",
        ],
        "parameters": {
            "type": "object",
            "properties": {"fail": {"type": "boolean", "default": False}},
            "additionalProperties": False,
        },
        "resources": {"cpus": 1, "memory": "50M", "walltime": "00:05:00"},
    },
    # Typed parameters: a required integer, an optional integer and number with no
    # default, and a parameter named like a column of Batch.jobs().
    "t-typed": {
        "id": "t-typed",
        "version": "1.0.0",
        "title": "Typed parameters",
        "description": "Prints n; has parameters of several types.",
        "command": ["bash", "-c", 'echo "n=$1"', "t-typed", "{n}"],
        "parameters": {
            "type": "object",
            "properties": {
                "n": {"type": "integer"},
                "k": {"type": "integer"},
                "x": {"type": "number"},
                "status": {"type": "string"},
            },
            "required": ["n"],
            "additionalProperties": False,
        },
        "resources": {"cpus": 1, "memory": "50M", "walltime": "00:05:00"},
    },
}


def server_env() -> dict[str, str]:
    """This environment without the variables that would point the server elsewhere."""
    env = dict(os.environ)
    for name in ("BULKRUN_URL", "BULKRUN_TOKEN", "BULKRUN_APPS_PATH", "BULKRUN_CONFIG"):
        env.pop(name, None)
    return env


@dataclass
class Server:
    """A `bulkrun serve` process of the tests."""

    proc: subprocess.Popen
    url: str
    token: str
    data_dir: Path
    log: Path

    def client(self) -> bulkrun.Client:
        return bulkrun.connect(self.url, self.token)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(data_dir: Path, token: str, *listen: str, apps: Path | None = None) -> Server:
    """Starts `bulkrun serve` and returns once its connection file names its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}.log"
    argv = [runtime.node_executable(), str(CLI), "serve", *(listen or ("--port", "0"))]
    argv += ["--data-dir", str(data_dir), "--token", token, "--idle-exit", "0"]
    if apps is not None:
        argv += ["--apps", str(apps)]
    out = open(log, "wb")
    proc = subprocess.Popen(
        argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=server_env()
    )
    out.close()
    info_file = data_dir / "run" / "server.json"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"bulkrun serve exited {proc.returncode}:\n{log.read_text()}")
        try:
            info = json.loads(info_file.read_text())
            if info.get("pid") == proc.pid:
                return Server(proc, info["url"], token, data_dir, log)
        except (FileNotFoundError, ValueError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"bulkrun serve did not start in 60 s:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def apps_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("apps")
    for app_id, spec in TEST_APPS.items():
        (path / f"{app_id}.json").write_text(json.dumps(spec, indent=2))
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, apps_dir: Path) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("srv") / "data", TOKEN, apps=apps_dir)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[bulkrun.Client]:
    c = server.client()
    yield c
    c.close()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test reaches a server through the user's environment or data dir, and none
    inherits another's default client."""
    for name in ("BULKRUN_URL", "BULKRUN_TOKEN", "BULKRUN_SERVER_CMD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BULKRUN_DATA_DIR", str(tmp_path / "unused-data-dir"))
    bulkrun._default = None
    yield
    if bulkrun._default is not None:
        bulkrun._default.close()
    bulkrun._default = None
