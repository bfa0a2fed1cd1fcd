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
# pip writes the package's shared data into .venv/share/jupyter/labextensions; when that
# is already `jupyter labextension develop`'s link to the source tree, it would write
# through it (and a second run then finds install.json twice). make re-creates the link.
rm -f .venv/share/jupyter/labextensions/jupyterlab-bulkrun jupyterlab_bulkrun/labextension/install.json
# make builds the labextension itself; SKIP_JUPYTER_BUILDER keeps pip from building it too.
SKIP_JUPYTER_BUILDER=1 "${pip[@]}" install --no-build-isolation -e .
.venv/bin/python -c "import jupyterlab, jupyter_server_proxy, jupyterlab_bulkrun; print('install-venv: jupyterlab', jupyterlab.__version__)"

# No "receive official Jupyter news?" prompt or update check in the repo's JupyterLab:
# the demo opens on the notebook, and the UI tests see only what the project shows.
mkdir -p .venv/share/jupyter/lab/settings
cat > .venv/share/jupyter/lab/settings/overrides.json <<'JSON'
{
  "@jupyterlab/apputils-extension:notification": {
    "fetchNews": "false",
    "checkForUpdates": false
  }
}
JSON
