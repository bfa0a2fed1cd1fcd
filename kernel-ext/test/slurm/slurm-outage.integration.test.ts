/**
 * A slurmctld outage in the middle of a run: health says unavailable, poll and submit
 * throw BackendUnavailable (so the engine backs off and marks nothing failed), and once
 * the controller is back tracking resumes and every job finishes as it really did.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BackendUnavailable } from '../../src/backends/base';
import {
  describeSlurm,
  harness,
  idsOf,
  pollUntilDone,
  REPO,
  slurmUp,
  submitRetrying,
  tracked,
  type Harness,
} from './harness';

jest.setTimeout(180_000);

const script = (name: string, ...args: string[]) =>
  execFileSync(path.join(REPO, 'scripts', name), args, { stdio: 'pipe', timeout: 120_000 });

describeSlurm('Slurm backend through a controller outage', () => {
  let h: Harness;
  beforeAll(async () => {
    slurmUp('slurm-outage.integration');
    h = await harness('slurm-outage-');
  });
  afterAll(async () => {
    // Whatever happened, leave the controller running for everyone else.
    if (h) script('slurm-up');
    await h?.backend.close();
    if (h) fs.rmSync(h.root, { recursive: true, force: true });
  });

  test('stop slurmctld mid-run, then start it again', async () => {
    const items = [
      h.item('o-ok', ['bash', '-c', 'sleep 6; echo done']),
      h.item('o-bad', ['bash', '-c', 'sleep 6; exit 4']),
      h.item('o-fast', ['true']),
    ];
    const ids = idsOf(await submitRetrying(h.backend, { groupId: 'g-outage', items }));
    const jobs = tracked(items, ids, 'g-outage');
    await pollUntilDone(
      h.backend,
      jobs,
      60_000,
      () => jobs[0].status === 'running' && jobs[1].status === 'running'
    );
    expect(jobs[0].status).toBe('running');

    script('slurm-down', '--ctld-only');
    try {
      const health = await h.backend.health();
      expect(health.available).toBe(false);
      expect(health.detail).toMatch(/DOWN|Unable to contact|connect/i);
      await expect(h.backend.poll(jobs)).rejects.toBeInstanceOf(BackendUnavailable);
      const late = [h.item('o-late', ['true'])];
      await expect(
        h.backend.submit({ groupId: 'g-outage-late', items: late })
      ).rejects.toBeInstanceOf(BackendUnavailable);
      // The running jobs finish while the controller is away.
      await new Promise(r => setTimeout(r, 8000));
      await expect(h.backend.poll(jobs)).rejects.toBeInstanceOf(BackendUnavailable);
    } finally {
      script('slurm-up', '--ctld-only');
    }

    expect((await h.backend.health()).available).toBe(true);
    const { final } = await pollUntilDone(h.backend, jobs, 60_000);
    expect(final.get('o-ok')).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(final.get('o-bad')).toMatchObject({
      status: 'error',
      exitCode: 4,
      error: { code: 'job_crashed' },
    });
    expect(final.get('o-fast')).toMatchObject({ status: 'completed', exitCode: 0 });
  });
});
