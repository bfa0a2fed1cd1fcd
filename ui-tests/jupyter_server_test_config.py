"""Jupyter server for the galata UI tests: galata's settings, but with token auth kept on."""

import os
from tempfile import mkdtemp

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ.get("BULKRUN_UI_PORT", "8877"))  # noqa: F821
# Galata turns auth off; the tests check that /bulkrun/ refuses unauthenticated requests.
c.IdentityProvider.token = os.environ.get("BULKRUN_UI_TOKEN", "bulkrun-ui-tests-token")  # noqa: F821
# A fresh jobs store per test server (read when jupyter-server-proxy loads the entry point).
os.environ.setdefault("BULKRUN_DATA_DIR", mkdtemp(prefix="bulkrun-ui-data-"))
