/* global require, process, console, setTimeout */
// demo-echo: prints its parameters, then writes {"message": ...} as the job output.
'use strict';
const { parseArgs, writeOutput } = require('./args');

const args = parseArgs(process.argv.slice(2));
const repeat = Number(args.repeat ?? 1);
const delay = Number(args.delay ?? 0);
console.log(`demo-echo parameters: ${JSON.stringify(args)}`);
let n = 0;
function tick() {
  if (n < repeat) {
    console.log(args.message);
    n += 1;
    setTimeout(tick, delay * 1000);
    return;
  }
  writeOutput({ message: args.message, repeat, row: process.env.BULKRUN_ROW_INDEX ?? null });
}
tick();
