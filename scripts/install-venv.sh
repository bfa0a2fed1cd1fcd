#!/usr/bin/env bash
# The repo-local Python environment (.venv): pinned JupyterLab and jupyter-server-proxy
# (from pyproject.toml), the build backend, and this package in editable mode.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
# The build backend is preinstalled so the editable install needs no isolated build env.
"${pip[@]}" install hatchling==1.33.0 hatch-jupyter-builder==0.10.0 editables==0.5
# make builds the labextension itself; SKIP_JUPYTER_BUILDER keeps pip from building it too.
SKIP_JUPYTER_BUILDER=1 "${pip[@]}" install --no-build-isolation -e .
.venv/bin/python -c "import jupyterlab, jupyter_server_proxy, jupyterlab_bulkrun; print('install-venv: jupyterlab', jupyterlab.__version__)"
