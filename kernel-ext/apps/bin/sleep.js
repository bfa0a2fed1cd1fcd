/* global require, process, console, setTimeout, setInterval, clearInterval */
// demo-sleep: sleeps for the given seconds, printing one line a second so logs can be followed.
'use strict';
const { parseArgs, writeOutput } = require('./args');

const seconds = Number(parseArgs(process.argv.slice(2)).seconds ?? 5);
const start = Date.now();
console.log(`demo-sleep: sleeping ${seconds}s`);
const timer = setInterval(() => {
  console.log(`demo-sleep: ${Math.round((Date.now() - start) / 1000)}s elapsed`);
}, 1000);
setTimeout(() => {
  clearInterval(timer);
  console.log('demo-sleep: done');
  writeOutput({ slept: seconds });
}, seconds * 1000);
