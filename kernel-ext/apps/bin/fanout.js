/* global require, process, console, __dirname */
// demo-fanout: creates N demo-echo tasks and a demo-merge fan-in attached to this job with
// `bulkrun fanout`, then exits; the server runs them (this job holds no slot meanwhile).
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { parseArgs } = require('./args');

const args = parseArgs(process.argv.slice(2));
const n = Number(args.n ?? 5);
const prefix = args.prefix ?? 'task';
const workDir = process.env.BULKRUN_WORK_DIR || process.cwd();
const rows = Array.from({ length: n }, (_, i) => ({ message: `${prefix} ${i}` }));
const rowsFile = path.join(workDir, 'fanout-rows.json');
fs.writeFileSync(rowsFile, JSON.stringify(rows));

const cli = path.join(__dirname, '..', '..', 'bin', 'bulkrun.js');
const argv = [cli, 'fanout', '--rows', rowsFile, '--app', 'demo-echo'];
if (args.fanIn !== 'false') argv.push('--fan-in', 'demo-merge');
console.log(`demo-fanout: fanning out ${n} demo-echo tasks`);
execFileSync(process.execPath, argv, { stdio: 'inherit' });
