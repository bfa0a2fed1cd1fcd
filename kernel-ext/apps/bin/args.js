/* global require, module, process */
// Shared by the demo apps: parses `--name=value` arguments (values may contain anything).
'use strict';
const fs = require('fs');

function parseArgs(argv) {
  const out = {};
  for (const a of argv) {
    const m = /^--([A-Za-z][A-Za-z0-9_-]*)=([\s\S]*)$/.exec(a);
    if (m) out[m[1]] = m[2];
    else (out._ = out._ || []).push(a);
  }
  return out;
}

/** Writes the job's JSON output where the server collects it (no-op outside a job). */
function writeOutput(value) {
  const file = process.env.BULKRUN_OUTPUT;
  if (file) fs.writeFileSync(file, JSON.stringify(value));
}

module.exports = { parseArgs, writeOutput };
