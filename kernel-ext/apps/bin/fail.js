/* global require, process, console */
// demo-fail: exits with the requested code (or succeeds when fail=false).
'use strict';
const { parseArgs, writeOutput } = require('./args');

const args = parseArgs(process.argv.slice(2));
const fail = args.fail !== 'false';
const code = Number(args.exitCode ?? 1);
if (fail && code !== 0) {
  console.error(`demo-fail: ${args.message ?? 'failing on purpose'} (exit code ${code})`);
  process.exit(code);
}
console.log('demo-fail: succeeding as asked');
writeOutput({ failed: false });
