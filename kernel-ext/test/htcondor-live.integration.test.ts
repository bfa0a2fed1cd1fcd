/**
 * Live contract suite for the HTCondor backend: the same lifecycle as htcondor-backend.test.ts,
 * against a real schedd. It runs only where a real `condor_submit` is on PATH; anywhere else it
 * says loudly that it did not run, and its one test checks that this is why.
 * Set BULKRUN_REQUIRE_HTCONDOR=1 to make a missing HTCondor a failure (site CI).
 * BULKRUN_HTCONDOR_WORKDIR: a directory shared with the execute nodes (default: the temp dir,
 * which only works for a single-machine pool). See docs/HTCONDOR.md.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StatusUpdate, SubmitItem, TrackedJob } from '../src/backends/base';
import { HTCondorBackend } from '../src/backends/htcondor';
import { parseAdsJson } from '../src/backends/htcondor-parse';
import { prepareWorkDir } from '../src/backends/workdir';

const FAKES = path.join(__dirname, 'fakes', 'condor');

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir || path.resolve(dir) === FAKES) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

const condorSubmit = onPath('condor_submit');
const TIMEOUT = Number(process.env.BULKRUN_HTCONDOR_TIMEOUT_MS ?? 600_000);

if (!condorSubmit) {
  describe('HTCondor live contract suite', () => {
    beforeAll(() => {
      console.warn(
        [
          '',
          '*****************************************************************************',
          '* HTCondor live contract suite NOT RUN: condor_submit is not on PATH.        *',
          '* The HTCondor backend was tested here only against the fake commands in    *',
          '* test/fakes/condor. Run this file on an HTCondor submit host to verify it.  *',
          '*****************************************************************************',
          '',
        ].join('\n')
      );
    });
    test('NOT RUN: no real condor_submit on PATH (set BULKRUN_REQUIRE_HTCONDOR=1 to fail instead)', () => {
      expect(process.env.BULKRUN_REQUIRE_HTCONDOR ?? '').not.toBe('1');
      expect(condorSubmit).toBeNull();
    });
  });
} else {
  jest.setTimeout(TIMEOUT + 60_000);
  const silent = { debug() {}, info() {}, warn: console.warn, error: console.error };
  let root: string;
  let b: HTCondorBackend;

  const run = (cmd: string, args: string[]) =>
    new Promise<{ stdout: string; code: number }>(resolve =>
      execFile(cmd, args, (err, stdout) => resolve({ stdout, code: err ? 1 : 0 }))
    );

  function job(id: string, argv: string[]): SubmitItem {
    const workDir = path.join(root, 'jobs', id);
    prepareWorkDir(workDir, argv, { PATH: '/usr/local/bin:/usr/bin:/bin', MARK: `row-${id}` });
    return {
      jobId: id,
      batchId: 'b',
      role: 'task',
      index: 0,
      workDir,
      argv,
      resources: { memory: '128M', cpus: 1 },
      priority: 0,
    };
  }

  async function untilDone(jobs: TrackedJob[]) {
    const final = new Map<string, StatusUpdate>();
    const deadline = Date.now() + TIMEOUT;
    while (final.size < jobs.length && Date.now() < deadline) {
      for (const u of await b.poll(jobs.filter(j => !final.has(j.jobId)))) {
        jobs.find(j => j.jobId === u.jobId)!.status = u.status;
        if (['completed', 'error', 'terminated'].includes(u.status)) final.set(u.jobId, u);
      }
      await new Promise(r => setTimeout(r, 2000));
    }
    return final;
  }

  describe(`HTCondor live contract suite (${condorSubmit})`, () => {
    beforeAll(async () => {
      const base = process.env.BULKRUN_HTCONDOR_WORKDIR ?? os.tmpdir();
      root = fs.mkdtempSync(path.join(base, 'bulkrun-live-'));
      b = new HTCondorBackend({
        pollIntervalMs: 2000,
        schedd: process.env.BULKRUN_HTCONDOR_SCHEDD ?? null,
        pool: process.env.BULKRUN_HTCONDOR_POOL ?? null,
      });
      await b.init({ log: silent, emit: () => undefined, stateDir: path.join(root, 'state') });
    });

    test('health', async () => {
      expect(await b.health()).toMatchObject({ available: true });
    });

    test('documented output formats: empty condor_q, bracketed condor_history', async () => {
      const q = await run('condor_q', ['-json', '-constraint', 'ClusterId == -1']);
      expect(q.stdout.trim()).toBe('');
      const h = await run('condor_history', [
        '-json',
        '-match',
        '1',
        '-constraint',
        'ClusterId == -1',
      ]);
      expect(parseAdsJson(h.stdout)).toEqual([]);
    });

    test('one cluster; exit codes; literal arguments', async () => {
      const items = [
        job('ok', ['sh', '-c', 'echo "out $MARK"']),
        job('fail', ['sh', '-c', 'exit 3']),
        job('lit', ['printf', '%s', 'a b; $HOME']),
      ];
      const out = await b.submit({ groupId: `live${Date.now()}`, items });
      expect(out.every(o => /^\d+\.\d+$/.test(o.backendJobId ?? ''))).toBe(true);
      expect(new Set(out.map(o => o.backendJobId!.split('.')[0])).size).toBe(1);
      const tracked = items.map((it, i) => ({
        jobId: it.jobId,
        backendJobId: out[i].backendJobId!,
        groupId: 'g',
        workDir: it.workDir,
        status: 'queued' as const,
      }));
      const final = await untilDone(tracked);
      expect(final.get('ok')).toMatchObject({ status: 'completed', exitCode: 0 });
      expect(final.get('fail')).toMatchObject({ status: 'error', exitCode: 3 });
      expect(fs.readFileSync(path.join(root, 'jobs/lit/stdout.log'), 'utf8')).toBe('a b; $HOME');
    });

    test('held → error held; cancel → terminated; findSubmitted by Bulkrun ids', async () => {
      const groupId = `live${Date.now()}h`;
      const items = [job('held', ['sleep', '600']), job('cancel', ['sleep', '600'])];
      const out = await b.submit({ groupId, items });
      await run('condor_hold', ['-reason', 'bulkrun live test', out[0].backendJobId!]);
      const found = await b.findSubmitted(
        items.map(it => ({
          jobId: it.jobId,
          backendJobId: null,
          groupId,
          workDir: it.workDir,
          status: 'created',
        }))
      );
      expect(Object.fromEntries(found)).toEqual({
        held: out[0].backendJobId,
        cancel: out[1].backendJobId,
      });
      const tracked = items.map((it, i) => ({
        jobId: it.jobId,
        backendJobId: out[i].backendJobId!,
        groupId,
        workDir: it.workDir,
        status: 'queued' as const,
      }));
      await b.cancel([tracked[1]]);
      const final = await untilDone(tracked);
      expect(final.get('held')).toMatchObject({ status: 'error', error: { code: 'held' } });
      expect(final.get('cancel')).toMatchObject({ status: 'terminated' });
    });
  });
}
