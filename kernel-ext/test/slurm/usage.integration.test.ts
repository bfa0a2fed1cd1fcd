/**
 * Usage from Slurm accounting on the real single-node Slurm (scripts/slurm-up runs slurmdbd
 * and its MariaDB, with jobacct_gather/linux sampling every second): a job that holds a
 * known amount of memory and burns a known CPU time gets sacct's figures, on its terminal
 * update or in the usage-only update that follows it, from one sacct call per interval.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { StatusUpdate } from '../../src/backends/base';
import { SlurmBackend } from '../../src/backends/slurm';
import { readExit, readMaxRss } from '../../src/backends/workdir';
import {
  describeSlurm,
  harness,
  idsOf,
  pollUntilDone,
  quietLog,
  slurmUp,
  submitRetrying,
  tempRoot,
  tracked,
  type Harness,
} from './harness';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
const BUSY_S = 2;
const HOLD_MIB = 200;

/**
 * Python that touches every page of HOLD_MIB (so RSS really grows), runs until its own CPU
 * time reaches BUSY_S (counted from its start: the page faults are part of it), and keeps
 * the memory 2 s longer, for the 1 s samples.
 */
const hog = (mib: number, busy: number) =>
  [
    'import time',
    `n = ${mib} * 1024 * 1024`,
    'b = bytearray(n)',
    'b[::4096] = b"x" * (n // 4096)',
    `while time.process_time() < ${busy}: pass`,
    'time.sleep(2)',
  ].join('\n');

describeSlurm('usage from Slurm accounting', () => {
  let h: Harness;
  let sacctLog: string;
  let bin: string;
  beforeAll(async () => {
    slurmUp('usage.integration');
    // sacct through a wrapper that counts the calls.
    bin = tempRoot('usage-bin-');
    sacctLog = path.join(bin, 'sacct.log');
    const wrapper = path.join(bin, 'sacct');
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${sacctLog}'\nexec sacct "$@"\n`);
    fs.chmodSync(wrapper, 0o755);
    h = await harness('slurm-usage-', { commands: { sacct: wrapper } });
  });
  afterAll(async () => {
    await h?.backend.close();
    if (h) fs.rmSync(h.root, { recursive: true, force: true });
    if (bin) fs.rmSync(bin, { recursive: true, force: true });
  });

  const sacctCalls = () =>
    fs.existsSync(sacctLog) ? fs.readFileSync(sacctLog, 'utf8').split('\n').filter(Boolean) : [];

  /** The job's Slurm usage: on its terminal update, or a usage-only update after it. */
  async function slurmUsage(jobId: string, seen: StatusUpdate[]): Promise<StatusUpdate> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const u = [...seen, ...h.emitted].find(x => x.jobId === jobId && x.usage?.source === 'slurm');
      if (u) return u;
      await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`no Slurm usage for ${jobId} within 60 s`);
  }

  test('MaxRSS and TotalCPU of a job holding 200 MiB and busy for 2 s', async () => {
    // The same interpreter without the memory and the loop: what python and the wrapper's
    // shells cost by themselves, taken off the hog's figures.
    const items = [
      h.item('hog', ['python3', '-c', hog(HOLD_MIB, BUSY_S)]),
      h.item('base', ['python3', '-c', hog(0, 0)]),
    ];
    const ids = idsOf(await submitRetrying(h.backend, { groupId: 'g-usage', items }));
    const jobs = tracked(items, ids, 'g-usage');
    const { final, seen } = await pollUntilDone(h.backend, jobs, 120_000);
    expect(final.get('hog')).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(final.get('base')).toMatchObject({ status: 'completed', exitCode: 0 });
    const all = [...seen.values()].flat();
    const hogU = (await slurmUsage('hog', all)).usage!;
    const baseU = (await slurmUsage('base', all)).usage!;
    const how = (id: string) =>
      final.get(id)!.usage?.source === 'slurm' ? 'terminal update' : 'usage-only update';
    console.log(
      `sacct usage of ${ids.get('hog')} (${how('hog')}): ${JSON.stringify(hogU)}; ` +
        `of ${ids.get('base')} (${how('base')}): ${JSON.stringify(baseU)}`
    );

    expect(hogU.maxRssBytes).toBeGreaterThanOrEqual(HOLD_MIB * MiB);
    const rss = hogU.maxRssBytes! - baseU.maxRssBytes!;
    expect(rss).toBeGreaterThan(HOLD_MIB * MiB * 0.9);
    expect(rss).toBeLessThan(HOLD_MIB * MiB * 1.1);

    expect(hogU.cpuSeconds).toBeGreaterThanOrEqual(BUSY_S);
    const cpu = hogU.cpuSeconds! - baseU.cpuSeconds!;
    expect(cpu).toBeGreaterThan(BUSY_S * 0.9);
    expect(cpu).toBeLessThan(BUSY_S * 1.1);

    // ElapsedRaw: whole seconds of the allocation (busy 2 s + 2 s held, and the start-up).
    expect(hogU.wallSeconds).toBeGreaterThanOrEqual(4);
    expect(hogU.wallSeconds).toBeLessThan(60);
    expect(baseU.wallSeconds).toBeGreaterThanOrEqual(2);

    // The wrapper measured the same on the node without accounting: GNU time's peak
    // memory (`usage`) and the CPU time on its exit line (backends/wrapper.sh).
    const dir = (id: string) => items.find(i => i.jobId === id)!.workDir;
    const wRss = readMaxRss(dir('hog'))! - readMaxRss(dir('base'))!;
    expect(wRss).toBeGreaterThan(HOLD_MIB * MiB * 0.9);
    expect(wRss).toBeLessThan(HOLD_MIB * MiB * 1.1);
    const wCpu = readExit(dir('hog'))!.cpuSeconds! - readExit(dir('base'))!.cpuSeconds!;
    expect(wCpu).toBeGreaterThan(BUSY_S * 0.9);
    expect(wCpu).toBeLessThan(BUSY_S * 1.1);
  });

  test('a finished job no longer in squeue: its terminal update carries the usage', async () => {
    const items = [h.item('left', ['python3', '-c', hog(50, 0.5)])];
    const ids = idsOf(await submitRetrying(h.backend, { groupId: 'g-usage-left', items }));
    const jobs = tracked(items, ids, 'g-usage-left');
    await pollUntilDone(h.backend, jobs, 60_000);
    // Accounting has it by now (the usage-only update came).
    await slurmUsage('left', []);
    // A server that starts after Slurm forgot the job (MinJobAge): an empty queue.
    const later = new SlurmBackend({ pollIntervalMs: 500, commands: { squeue: 'true' } });
    await later.init({ log: quietLog, emit: () => {}, stateDir: path.join(h.root, 'state') });
    jobs[0].status = 'running';
    const [u] = await later.poll(jobs);
    expect(u).toMatchObject({ jobId: 'left', status: 'completed', exitCode: 0 });
    expect(u.usage).toMatchObject({ source: 'slurm' });
    expect(u.usage!.maxRssBytes).toBeGreaterThanOrEqual(50 * MiB);
    expect(u.usage!.cpuSeconds).toBeGreaterThanOrEqual(0.5);
    await later.close();
  });

  test('one sacct call per interval at most, and none once the usage is in', async () => {
    const items = [h.item('short', ['python3', '-c', hog(20, 0.2)])];
    const ids = idsOf(await submitRetrying(h.backend, { groupId: 'g-usage-calls', items }));
    const before = sacctCalls().length;
    const t0 = Date.now();
    const { final, seen } = await pollUntilDone(
      h.backend,
      tracked(items, ids, 'g-usage-calls'),
      60_000
    );
    expect(final.get('short')).toMatchObject({ status: 'completed' });
    const u = await slurmUsage('short', seen.get('short') ?? []);
    expect(u.usage!.maxRssBytes).toBeGreaterThanOrEqual(20 * MiB);
    const calls = sacctCalls().slice(before);
    const intervals = Math.ceil((Date.now() - t0) / h.backend.pollIntervalMs) + 1;
    expect(calls.length).toBeLessThanOrEqual(intervals);
    // Steps included (no -X): that is where MaxRSS is.
    expect(calls.every(c => !c.split(' ').includes('-X'))).toBe(true);
    // Nothing is waited for any more: no further sacct.
    const after = sacctCalls().length;
    await new Promise(r => setTimeout(r, h.backend.pollIntervalMs * 4));
    expect(sacctCalls().length).toBe(after);
  });
});
