"""The REST API against its own OpenAPI document (GET /api/v1/openapi.json), fuzzed with
schemathesis on a server of its own: no answer is a 5xx, and every status code and body is
one the document lists.

A batch that ran first gives the lists and the stateful phase real records to check.
BULKRUN_FUZZ_SECONDS bounds the fuzzing (default 90); BULKRUN_FUZZ_SEED sets the seed
(default fixed, so a failure in CI replays; schemathesis prints the seed it used).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from conftest import start_server

TOKEN = "openapi-fuzz-token"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


def _schemathesis() -> str:
    exe = Path(sys.executable).parent / "schemathesis"
    found = str(exe) if exe.exists() else shutil.which("schemathesis")
    assert found, "schemathesis is not installed: run scripts/install-venv.sh"
    return found


def _run_batch(url: str) -> None:
    """A finished batch with a failed row (t-flaky fails its first attempt)."""
    headers = {"Authorization": f"token {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        r = http.post(
            "/api/v1/batches", json={"app": "t-flaky", "params": [{"fail": True}, {"fail": False}]}
        )
        assert r.status_code == 202, r.text
        batch_id = r.json()["batch"]["id"]
        deadline = time.monotonic() + 60
        while http.get(f"/api/v1/batches/{batch_id}").json()["status"] not in (
            "completed",
            "error",
        ):
            assert time.monotonic() < deadline, "the seed batch did not finish in 60 s"
            time.sleep(0.2)


def test_the_api_answers_as_its_openapi_document_says(tmp_path: Path, apps_dir: Path) -> None:
    srv = start_server(tmp_path / "data", TOKEN, apps=apps_dir)
    try:
        _run_batch(srv.url)
        budget = int(os.environ.get("BULKRUN_FUZZ_SECONDS", "90"))
        argv = [
            _schemathesis(),
            "run",
            f"{srv.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: token {TOKEN}",
            "--checks",
            CHECKS,
            "--max-examples",
            "20",
            "--max-time",
            str(budget),
            # One worker: with two threads, hypothesis's ast.parse calls race on CPython
            # 3.11.7 (SystemError "AST constructor recursion depth mismatch").
            "--workers",
            "1",
            "--seed",
            os.environ.get("BULKRUN_FUZZ_SEED", "1"),
            # The token is a header the test sets, not an input to fuzz.
            "--generation-with-security-parameters",
            "false",
            "--generation-database",
            "none",
            "--no-color",
        ]
        # In tmp_path: schemathesis writes nothing into the checkout.
        proc = subprocess.run(
            argv,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=budget + 180,
        )
        assert proc.returncode == 0, (
            f"schemathesis failed (exit {proc.returncode}):\n{proc.stdout}\n"
            f"--- server log ---\n{srv.log.read_text()[-20000:]}"
        )
    finally:
        srv.stop()
