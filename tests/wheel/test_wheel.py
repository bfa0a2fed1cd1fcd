"""The installed wheel as a user meets it, with no system Node, npm or compiler.

scripts/test-wheel installs dist/*.whl into a fresh venv ($BULKRUN_WHEEL_VENV); every
program here runs through scripts/without-node, which hides Node, npm and the C/C++
toolchain in a private mount namespace. Then: the `bulkrun` CLI; a plain `jupyter server`
from that venv serving /bulkrun/; a batch with a fan-in that goes on while that Jupyter
server is stopped (SIGTERM, as a hub's idle culler does) and is found completed by the
next one, the event stream resuming with no gap; one Bulkrun server per data dir.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

ROOT = Path(__file__).resolve().parents[2]
WITHOUT_NODE = str(ROOT / "scripts" / "without-node")
VENV = Path(os.environ.get("BULKRUN_WHEEL_VENV", ROOT / ".data" / "wheel-venv"))
TOKEN = "wheel-test-token"


def env_for(tmp: Path) -> dict[str, str]:
    """A user's environment: the wheel's venv first, nothing of the repo's."""
    return {
        "PATH": f"{VENV / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp / "home"),
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "BULKRUN_DATA_DIR": str(tmp / "bulkrun"),
        "LANG": "C.UTF-8",
    }


def hidden(cmd: list[str], tmp: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [WITHOUT_NODE, *cmd], env=env_for(tmp), capture_output=True, text=True, timeout=120, **kw
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Jupyter:
    """A plain `jupyter server` from the wheel's venv, without Node."""

    def __init__(self, tmp: Path, port: int):
        self.tmp, self.port = tmp, port
        (tmp / "home").mkdir(exist_ok=True)
        self.log = open(tmp / f"jupyter-{time.time():.0f}.log", "w")
        self.proc = subprocess.Popen(
            [
                WITHOUT_NODE,
                str(VENV / "bin" / "jupyter"),
                "server",
                "--allow-root",
                "--no-browser",
                f"--port={port}",
                "--ServerApp.ip=127.0.0.1",
                f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={tmp}",
            ],
            env=env_for(tmp),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=tmp,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                self.get("/api/status")
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"jupyter server did not start: {self.text_log()}")

    def text_log(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text()[-3000:]

    def request(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"null")

    def get(self, path: str):
        return self.request("GET", path)

    def stop(self) -> None:
        """SIGTERM, as JupyterHub's culler stops a single-user server."""
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.log.close()


def server_processes(data_dir: Path) -> list[int]:
    """Pids of Bulkrun servers (`serve`) on this data dir."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv]
        if "serve" in args and "--data-dir" in args:
            if args[args.index("--data-dir") + 1] == str(data_dir):
                pids.append(int(entry))
    return pids


async def collect_events(port: int, since: int, batch_id: str, until) -> list[dict]:
    """Events for the batch from `since` through Jupyter's proxy, until until(events)."""
    url = f"ws://127.0.0.1:{port}/bulkrun/api/v1/events?format=json&token={TOKEN}"
    ws = await websocket_connect(url)
    await ws.write_message(json.dumps({"type": "subscribe", "batchIds": [batch_id], "since": since}))
    events: list[dict] = []
    deadline = time.time() + 90
    while time.time() < deadline and not until(events):
        msg = await asyncio.wait_for(ws.read_message(), timeout=deadline - time.time())
        if msg is None:
            break
        events.append(json.loads(msg))
    ws.close()
    return events


@pytest.fixture(scope="module")
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("wheel")


def test_no_system_node_or_compiler(tmp):
    # The premise of every other test here: the namespace really hides them.
    r = hidden(["bash", "-c", "command -v node npm gcc g++ cc"], tmp)
    assert r.returncode != 0 and r.stdout.strip() == "", r.stdout


def test_wheel_holds_the_whole_product():
    site = next((VENV / "lib").glob("python3*/site-packages"))
    server = site / "jupyterlab_bulkrun" / "server"
    assert (server / "bulkrun.cjs").is_file()
    assert (server / "wrapper.sh").is_file() and (server / "migrations").is_dir()
    assert {p.stem for p in (server / "apps").glob("*.yaml")} >= {"demo-echo", "demo-merge"}
    labext = VENV / "share" / "jupyter" / "labextensions" / "jupyterlab-bulkrun" / "package.json"
    assert labext.is_file()
    assert (site / "bulkrun" / "widget.py").is_file(), "the Python API (import bulkrun)"
    assert not list(server.rglob("node_modules")), "no node_modules tree in the wheel"
    assert not list(site.rglob("*.node")), "no native Node module anywhere in the venv"


def test_cli_runs_on_the_packaged_node(tmp):
    r = hidden([str(VENV / "bin" / "bulkrun"), "--help"], tmp)
    assert r.returncode == 0, r.stderr
    for command in ("serve", "submit", "status", "attach"):
        assert command in r.stdout


def test_jupyter_serves_bulkrun_and_management_outlives_it(tmp):
    data_dir = tmp / "bulkrun"
    port = free_port()
    jupyter = Jupyter(tmp, port)
    try:
        started = time.time()
        health = jupyter.get("/bulkrun/api/v1/health")
        first_request = time.time() - started
        print(f"first request through the proxy (starts the server): {first_request * 1000:.0f} ms")
        assert health["ok"] is True
        # Every backend is in the bundle (Slurm and HTCondor are unavailable here, not missing).
        assert {"local", "slurm", "htcondor"} <= set(health["backends"]), health["backends"]
        assert health["backends"]["local"]["available"] is True
        apps = jupyter.get("/bulkrun/api/v1/apps")
        ids = {a["id"] for a in apps["apps"]}
        assert {"demo-echo", "demo-sleep", "demo-merge", "demo-wordcount"} <= ids

        # Rows that outlast the Jupyter server; the fan-in must run while it is down.
        made = jupyter.request(
            "POST",
            "/bulkrun/api/v1/batches",
            {
                "app": "demo-sleep",
                "params": [{"seconds": 4}, {"seconds": 5}, {"seconds": 6}],
                "fanIn": {"app": "demo-merge", "params": {"title": "wheel"}},
                "label": "outlives jupyter",
            },
        )
        batch_id = made["batch"]["id"]
        seen = asyncio.run(
            collect_events(
                port,
                0,
                batch_id,
                lambda evs: any(
                    e.get("type") == "job" and e["job"].get("status") == "running" for e in evs
                ),
            )
        )
        last_seq = max(e["seq"] for e in seen if "seq" in e and e.get("type") != "hello")
        server_pid = json.loads((data_dir / "run" / "server.json").read_text())["pid"]
        assert server_processes(data_dir) == [server_pid]
    finally:
        jupyter.stop()
    stopped_at = time.time()

    # Jupyter is gone; the Bulkrun server is not, and it finishes the batch on its own.
    assert server_pid in server_processes(data_dir)
    status = None
    deadline = time.time() + 90
    while time.time() < deadline:
        r = hidden([str(VENV / "bin" / "bulkrun"), "status", batch_id, "--json"], tmp)
        if r.returncode in (0, 1) and r.stdout.strip().startswith("{"):
            status = json.loads(r.stdout)
            if status.get("status") in ("completed", "error", "terminated"):
                break
        time.sleep(1)
    assert status and status["status"] == "completed", (status, r.stderr)
    fan_in = json.loads(
        hidden([str(VENV / "bin" / "bulkrun"), "status", status["fanInJobId"], "--json"], tmp).stdout
    )
    assert fan_in["status"] == "completed"
    time.sleep(1)

    # The next Jupyter server attaches to the same Bulkrun server and sees it all.
    jupyter = Jupyter(tmp, port)
    try:
        restarted_at = time.time()
        batch = jupyter.get(f"/bulkrun/api/v1/batches/{batch_id}")
        assert batch["status"] == "completed"
        # The fan-in ran while no Jupyter server was there.
        finished = datetime.fromisoformat(fan_in["finishedAt"].replace("Z", "+00:00")).timestamp()
        assert stopped_at < finished < restarted_at, (stopped_at, finished, restarted_at)
        assert server_processes(data_dir) == [server_pid], "one server per data dir"

        # The stream resumes where it was left: every event after last_seq, no gap.
        resumed = asyncio.run(
            collect_events(
                port,
                last_seq,
                batch_id,
                lambda evs: any(
                    e.get("type") == "batch" and e["batch"].get("status") == "completed" for e in evs
                ),
            )
        )
        seqs = [e["seq"] for e in resumed if e.get("type") in ("job", "batch")]
        assert seqs and seqs[0] == last_seq + 1, seqs[:5]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "no event lost"
        done = {
            e["job"]["id"] for e in resumed if e.get("type") == "job" and e["job"].get("status") == "completed"
        }
        assert status["fanInJobId"] in done

        # A second server on the same data dir refuses to start.
        second = hidden(
            [str(VENV / "bin" / "bulkrun"), "serve", "--data-dir", str(data_dir), "--port", "0"], tmp
        )
        assert second.returncode != 0
        assert "Another Bulkrun server is running" in second.stderr
    finally:
        jupyter.stop()
        os.kill(server_pid, signal.SIGTERM)


PYTHON_API = """
import bulkrun, pandas
b = bulkrun.submit("demo-echo", pandas.DataFrame({"message": ["one", "two"]}), label="py")
b.wait(progress=False)
print(b.status, list(b.jobs()["message"]), b.counts["completed"])
"""


def test_python_api_finds_or_starts_the_users_server(tmp):
    # connect() with no arguments: no server runs on this data dir yet, so it starts one
    # (detached, on the packaged Node); the next script finds that same server.
    data_dir = tmp / "bulkrun-python"
    env = {**env_for(tmp), "BULKRUN_DATA_DIR": str(data_dir)}
    run = lambda: subprocess.run(  # noqa: E731
        [WITHOUT_NODE, str(VENV / "bin" / "python"), "-c", PYTHON_API],
        env=env, capture_output=True, text=True, timeout=180,
    )
    first = run()
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "completed ['one', 'two'] 2"
    info = json.loads((data_dir / "run" / "server.json").read_text())
    assert (data_dir / "run" / "server.json").stat().st_mode & 0o077 == 0
    try:
        second = run()
        assert second.returncode == 0, second.stderr
        assert json.loads((data_dir / "run" / "server.json").read_text())["pid"] == info["pid"]
        assert server_processes(data_dir) == [info["pid"]]
    finally:
        os.kill(info["pid"], signal.SIGTERM)
