#!/usr/bin/env node
// Launcher of the compiled CLI (kernel-ext/dist) in a source checkout; the wheel ships a
// bundle instead (scripts/bundle.js). The server needs Node 22.13+ (its built-in SQLite):
// on an older `node`, hand over to the repo's packaged one (.venv/bin/node) when present.
'use strict';
const path = require('path');
const fs = require('fs');
const [major, minor] = process.versions.node.split('.').map(Number);
const venvNode = path.join(__dirname, '..', '..', '.venv', 'bin', 'node');
if ((major < 22 || (major === 22 && minor < 13)) && fs.existsSync(venvNode)) {
  const { status, signal } = require('child_process').spawnSync(
    venvNode,
    [__filename, ...process.argv.slice(2)],
    { stdio: 'inherit' }
  );
  if (signal) process.kill(process.pid, signal);
  process.exit(status ?? 1);
}
require('../dist/cli/main.js');
