/**
 * Nested fan-out on the real single-node Slurm (scripts/slurm-up): 10 rows × 10 children
 * × 10 grandchildren under 10 slots finish, outputs flow up, retry and cancel hold at each
 * level (test/suites/nested-suite.ts), as on the local backend.
 */
import * as fs from 'fs';
import { describeSlurm, slurmUp } from './harness';
import { defineNestedSuite } from '../suites/nested-suite';

beforeAll(() => slurmUp('nested fan-out on slurm'), 300000);

// Work dirs on the node's local disk, where slurmd runs the jobs.
fs.mkdirSync('/var/tmp/bulkrun-tests', { recursive: true });
process.env.TMPDIR = '/var/tmp/bulkrun-tests';

const config = {
  defaultBackend: 'slurm',
  backends: { slurm: { pollIntervalMs: 500 } },
};

describeSlurm('nested fan-out on slurm', () =>
  defineNestedSuite('slurm', config, { rows: 10, n: 10 }, 900000)
);
