/* global require, process, console */
// demo-wordcount: counts lines, words and bytes of a file, like `wc`.
'use strict';
const fs = require('fs');
const { parseArgs, writeOutput } = require('./args');

const file = parseArgs(process.argv.slice(2)).input;
let data;
try {
  data = fs.readFileSync(file);
} catch (e) {
  console.error(`demo-wordcount: cannot read ${file}: ${e.message}`);
  process.exit(2);
}
const text = data.toString('utf8');
const lines = (text.match(/\n/g) || []).length;
const words = text.split(/\s+/).filter(Boolean).length;
console.log(`${lines} ${words} ${data.length} ${file}`);
writeOutput({ file, lines, words, bytes: data.length });
