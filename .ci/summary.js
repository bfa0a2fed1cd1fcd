#!/usr/bin/env node
/**
 * Prints one line per suite and a final pass/fail line from what .ci/suite recorded:
 * NAME.status ("passed|failed|skipped rc seconds"), plus test counts from jest
 * (NAME.jest.json), Playwright (NAME.pw.json) or pytest (NAME.junit.xml) reports when present.
 *   node .ci/summary.js RESULTS_DIR SUITE...
 */
const fs = require('fs');
const path = require('path');

const [dir, ...suites] = process.argv.slice(2);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * {passed, failed, skipped} summed over the suite's reports: jest --json (NAME.jest.json),
 * Playwright json (NAME.pw.json), pytest JUnit XML (NAME.junit.xml); null without any.
 */
function counts(name) {
  const found = [];
  const jest = readJson(path.join(dir, `${name}.jest.json`));
  if (jest) {
    found.push({
      passed: jest.numPassedTests,
      failed: jest.numFailedTests + (jest.numRuntimeErrorTestSuites || 0),
      skipped: jest.numPendingTests + (jest.numTodoTests || 0),
    });
  }
  const pw = readJson(path.join(dir, `${name}.pw.json`));
  if (pw && pw.stats) {
    found.push({
      passed: pw.stats.expected + pw.stats.flaky,
      failed: pw.stats.unexpected,
      skipped: pw.stats.skipped,
    });
  }
  let xml = null;
  try {
    xml = fs.readFileSync(path.join(dir, `${name}.junit.xml`), 'utf8');
  } catch {
    // no pytest report
  }
  const suite = xml && /<testsuite\b[^>]*>/.exec(xml);
  if (suite) {
    const attr = k => Number((new RegExp(`\\b${k}="(\\d+)"`).exec(suite[0]) || [])[1] || 0);
    const failed = attr('failures') + attr('errors');
    found.push({ passed: attr('tests') - failed - attr('skipped'), failed, skipped: attr('skipped') });
  }
  if (!found.length) return null;
  const sum = { passed: 0, failed: 0, skipped: 0 };
  for (const c of found) for (const k of Object.keys(sum)) sum[k] += c[k] || 0;
  return sum;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const suiteTotals = { passed: 0, failed: 0, skipped: 0 };
let seconds = 0;
console.log('\nSuite results:');
for (const name of suites) {
  let status = 'not-run';
  let secs = 0;
  try {
    [status, , secs] = fs.readFileSync(path.join(dir, `${name}.status`), 'utf8').trim().split(' ');
  } catch {
    // No status file: the suite never started (an earlier step failed).
  }
  secs = Number(secs) || 0;
  seconds += secs;
  if (status === 'passed') suiteTotals.passed++;
  else if (status === 'skipped') suiteTotals.skipped++;
  else suiteTotals.failed++;
  const c = counts(name);
  if (c) for (const k of Object.keys(totals)) totals[k] += c[k] || 0;
  const detail = c ? `tests ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped` : '';
  console.log(
    `  ${name.padEnd(14)} ${status.toUpperCase().padEnd(8)} ${secs.toFixed(1).padStart(7)}s  ${detail}`
  );
}
const ok = suiteTotals.failed === 0;
console.log(
  `${ok ? 'PASS' : 'FAIL'}: suites ${suiteTotals.passed} passed, ${suiteTotals.failed} failed, ` +
    `${suiteTotals.skipped} skipped; tests ${totals.passed} passed, ${totals.failed} failed, ` +
    `${totals.skipped} skipped (${seconds.toFixed(0)}s in suites)`
);
process.exit(ok ? 0 : 1);
