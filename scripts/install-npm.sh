#!/usr/bin/env bash
# npm dependencies for the three workspaces (extension, kernel-ext, ui-tests), from the
# lockfile. A fresh clone gets `npm ci`; an existing node_modules gets `npm install`,
# which is quick when nothing changed and keeps the tree of anyone working in it.
set -euo pipefail
cd "$(dirname "$0")/.."

# better-sqlite3 compiles with node-gyp; use the installed Node headers, no download.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

exec 9>/tmp/npm.lock
flock 9
if [ -d node_modules ] && [ -f node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
else
  npm ci --no-audit --no-fund
fi

# Fail here, not in a test, when a native module did not build.
(cd kernel-ext && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()") || {
  echo "install-npm: better-sqlite3 did not build (needs g++, make, Node headers)" >&2
  exit 1
}
