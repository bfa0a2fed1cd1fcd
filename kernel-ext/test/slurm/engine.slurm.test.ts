/**
 * The engine's behaviour suites on the real single-node Slurm started by scripts/slurm-up:
 * every batch rule holds there exactly as on the local backend.
 */
import * as fs from 'fs';
import { describeSlurm, slurmUp } from './harness';
import { defineEngineSuite } from '../suites/engine-suite';
import { defineSemanticsSuite } from '../suites/semantics-suite';

beforeAll(() => slurmUp('engine on slurm'), 300000);

// Work dirs on the node's local disk, where slurmd runs the jobs.
fs.mkdirSync('/var/tmp/bulkrun-tests', { recursive: true });
process.env.TMPDIR = '/var/tmp/bulkrun-tests';

const config = {
  defaultBackend: 'slurm',
  backends: { slurm: { pollIntervalMs: 500 } },
};

describeSlurm('engine on slurm', () => defineEngineSuite('slurm', config, 240000));
describeSlurm('semantics on slurm', () => defineSemanticsSuite('slurm', config, 300000));
