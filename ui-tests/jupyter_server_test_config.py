"""Jupyter server for the galata UI tests: galata's settings, but with token auth kept on."""

import json
import os
import shutil
import signal
import time
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ.get("BULKRUN_UI_PORT", "8877"))  # noqa: F821
# Galata turns auth off; the tests check that /bulkrun/ refuses unauthenticated requests.
c.IdentityProvider.token = os.environ.get("BULKRUN_UI_TOKEN", "bulkrun-ui-tests-token")  # noqa: F821
# A fresh jobs store per test server (read when jupyter-server-proxy loads the entry point).
# The tests know the path (BULKRUN_UI_DATA_DIR) to find the server process by it.
_data_dir = os.environ.get("BULKRUN_UI_DATA_DIR") or mkdtemp(prefix="bulkrun-ui-data-")
if os.path.basename(_data_dir).startswith("bulkrun-ui-data"):  # never empty a foreign dir
    # The Bulkrun server outlives the Jupyter server that started it (docs/SERVER.md): stop
    # one left by an earlier run before its data dir goes.
    try:
        with open(os.path.join(_data_dir, "run", "server.json")) as f:
            _pid = json.load(f)["pid"]
        os.kill(_pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(_pid, 0)
            time.sleep(0.1)
    except (OSError, ValueError, KeyError):
        pass
    shutil.rmtree(_data_dir, ignore_errors=True)
os.makedirs(_data_dir, exist_ok=True)
os.environ["BULKRUN_DATA_DIR"] = _data_dir
# CI containers run as root; this server is local to the test run.
c.ServerApp.allow_root = True  # noqa: F821
