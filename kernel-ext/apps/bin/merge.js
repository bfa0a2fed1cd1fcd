/* global require, process, console */
// demo-merge: the fan-in. Reads the rows' outputs ($BULKRUN_FANIN_INPUTS, a JSON array in row
// order, null for rows without output) and writes a merged summary.
'use strict';
const fs = require('fs');
const { parseArgs, writeOutput } = require('./args');

const args = parseArgs(process.argv.slice(2));
const file = process.env.BULKRUN_FANIN_INPUTS;
if (!file) {
  console.error('demo-merge: $BULKRUN_FANIN_INPUTS is not set; run me as the fan-in of a batch');
  process.exit(2);
}
const inputs = JSON.parse(fs.readFileSync(file, 'utf8'));
const present = inputs.filter(x => x !== null);
const messages = present
  .map(x => (x && typeof x === 'object' ? x.message : undefined))
  .filter(m => m !== undefined);
const summary = {
  title: args.title ?? 'merged',
  rows: inputs.length,
  withOutput: present.length,
  missing: inputs.map((x, i) => (x === null ? i : -1)).filter(i => i >= 0),
  messages,
  inputs,
};
console.log(`demo-merge: ${inputs.length} rows, ${present.length} with output`);
writeOutput(summary);
