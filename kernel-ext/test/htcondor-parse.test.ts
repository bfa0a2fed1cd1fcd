/** HTCondor output parsers and the JobStatus mapping, on fixtures of the documented formats. */
import * as fs from 'fs';
import * as path from 'path';
import type { TrackedJob } from '../src/backends/base';
import {
  actionFailureIsHarmless,
  adId,
  adUsage,
  exprOf,
  interpretAd,
  isFinalAd,
  POLL_ATTRIBUTES,
  num,
  parseAdsJson,
  parseTerse,
  rangeIds,
  type Ad,
} from '../src/backends/htcondor-parse';
import { procsConstraint } from '../src/backends/htcondor';

const fixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, 'fixtures/htcondor', name), 'utf8');
const noRecords = { exit: null, started: null };
const tracked = (status: TrackedJob['status'] = 'queued'): TrackedJob => ({
  jobId: 'J',
  backendJobId: null,
  groupId: 'grp42',
  workDir: '/nowhere',
  status,
});

describe('condor_submit -terse', () => {
  test('one cluster range → ids in proc order', () => {
    const ranges = parseTerse(fixture('submit-terse.txt'));
    expect(ranges).toEqual([{ cluster: 4711, first: 0, last: 2 }]);
    expect(rangeIds(ranges)).toEqual(['4711.0', '4711.1', '4711.2']);
  });
  test('several clusters, one line each', () => {
    expect(rangeIds(parseTerse('7.0 - 7.1\n8.0 - 8.0\n'))).toEqual(['7.0', '7.1', '8.0']);
  });
  test('no range is an error, not zero jobs', () => {
    expect(() => parseTerse('')).toThrow(/no job ids/);
    expect(() => parseTerse('Submitting job(s).\n1 job(s) submitted to cluster 3.\n')).toThrow(
      /no job ids/
    );
  });
});

describe('condor_q / condor_history -json', () => {
  test('condor_q prints nothing when no job matches: no ads', () => {
    expect(fixture('condor_q-empty.txt')).toBe('');
    expect(parseAdsJson(fixture('condor_q-empty.txt'))).toEqual([]);
  });
  test('condor_history writes its brackets on two lines: no ads', () => {
    expect(fixture('condor_history-empty.txt')).toBe('[\n]\n');
    expect(parseAdsJson(fixture('condor_history-empty.txt'))).toEqual([]);
  });
  test('ads with expressions and nulls', () => {
    const ads = parseAdsJson(fixture('condor_q-active.json'));
    expect(ads).toHaveLength(6);
    expect(adId(ads[1])).toBe('4711.1');
    expect(exprOf(ads[0].MemoryUsage)).toBe('( ( ResidentSetSize + 1023 ) / 1024 )');
    expect(num(ads[0], 'MemoryUsage')).toBeNull();
    expect(num(ads[0], 'RequestMemory')).toBe(2048);
    expect(num(ads[1], 'RequestMemory')).toBeNull();
    expect(ads[0].HoldReason).toBeNull();
  });
  test('garbage is an error', () => {
    expect(() => parseAdsJson('-- Failed to fetch ads')).toThrow(/Unreadable JSON/);
  });
});

describe('JobStatus → Bulkrun status', () => {
  const q = parseAdsJson(fixture('condor_q-active.json'));
  const h = parseAdsJson(fixture('condor_history-finished.json'));
  const byJob = (ads: Ad[], id: string) => ads.find(a => a.BulkrunJobId === id)!;

  test('1 idle: no change', () => {
    expect(interpretAd(tracked('queued'), byJob(q, 'job-idle'), noRecords).update).toBeNull();
  });
  test('2 running: running once, with the start time', () => {
    const u = interpretAd(tracked('queued'), byJob(q, 'job-running'), noRecords).update!;
    expect(u).toMatchObject({
      status: 'running',
      backendJobId: '4711.1',
      startedAt: new Date(1732190100_000).toISOString(),
    });
    expect(interpretAd(tracked('running'), byJob(q, 'job-running'), noRecords).update).toBeNull();
  });
  test('5 held: error held with reason and code', () => {
    const r = interpretAd(tracked('queued'), byJob(q, 'job-held'), noRecords);
    expect(r.held).toEqual({ code: 14, subCode: 2 });
    expect(r.update!.status).toBe('error');
    expect(r.update!.error!.code).toBe('held');
    expect(r.update!.error!.message).toContain("Failed to open '/scratch/gone/condor.out'");
    expect(r.update!.error!.message).toContain('HoldReasonCode 14/2');
  });
  test('5 held for walltime (code 46): timeout', () => {
    expect(
      interpretAd(tracked('running'), byJob(q, 'job-timeout'), noRecords).update!.error!.code
    ).toBe('timeout');
  });
  test('7 suspended and 6 transferring: running', () => {
    expect(
      interpretAd(tracked('queued'), byJob(q, 'job-suspended'), noRecords).update
    ).toMatchObject({
      status: 'running',
      reason: expect.stringContaining('suspended'),
    });
    expect(
      interpretAd(tracked('queued'), byJob(q, 'job-transferring'), noRecords).update!.status
    ).toBe('running');
  });
  test('4 completed: HTCondor exit code when no wrapper record', () => {
    expect(interpretAd(tracked('running'), byJob(h, 'job-ok'), noRecords).update).toMatchObject({
      status: 'completed',
      exitCode: 0,
      finishedAt: new Date(1732191000_000).toISOString(),
    });
    expect(interpretAd(tracked('running'), byJob(h, 'job-failed'), noRecords).update).toMatchObject(
      {
        status: 'error',
        exitCode: 2,
        error: { code: 'job_crashed' },
      }
    );
    expect(interpretAd(tracked('running'), byJob(h, 'job-signal'), noRecords).update).toMatchObject(
      {
        status: 'error',
        exitCode: null,
        error: { code: 'job_crashed', message: expect.stringContaining('signal 11') },
      }
    );
  });
  test('4 completed: the wrapper exit record wins', () => {
    const exit = { exitCode: 137, at: new Date(1732191005_000) };
    const u = interpretAd(tracked('running'), byJob(h, 'job-ok'), { exit, started: null }).update!;
    expect(u).toMatchObject({ status: 'error', exitCode: 137, error: { code: 'oom' } });
  });
  test('3 removed: terminated with the remove reason', () => {
    expect(
      interpretAd(tracked('running'), byJob(h, 'job-removed'), noRecords).update
    ).toMatchObject({
      status: 'terminated',
      reason: 'removed from HTCondor: via condor_rm (by user alice)',
    });
  });
});

describe('condor_rm outcomes', () => {
  test('gone or already removed is harmless', () => {
    expect(actionFailureIsHarmless('Job 12.3 not found\n')).toBe(true);
    expect(
      actionFailureIsHarmless('Job 12.3 not found\nJob 12.4 already marked for removal\n')
    ).toBe(true);
    expect(
      actionFailureIsHarmless(
        "There are no jobs in the queue\nCouldn't find/remove all jobs matching constraint (x)\n"
      )
    ).toBe(true);
  });
  test('anything else is not', () => {
    expect(actionFailureIsHarmless('Permission denied to remove job 12.3\n')).toBe(false);
    expect(actionFailureIsHarmless('')).toBe(false);
  });
});

describe('history constraint', () => {
  test('contiguous procs as a range, scattered ones with member()', () => {
    expect(
      procsConstraint([
        { cluster: 5, proc: 0 },
        { cluster: 5, proc: 1 },
        { cluster: 5, proc: 2 },
        { cluster: 9, proc: 4 },
        { cluster: 9, proc: 1 },
        { cluster: 11, proc: 7 },
      ])
    ).toBe(
      '(ClusterId == 5 && ProcId >= 0 && ProcId <= 2) || (ClusterId == 9 && member(ProcId, {1,4})) || (ClusterId == 11 && ProcId == 7)'
    );
  });
});

describe('usage from the ad', () => {
  // A completed ad as condor_history -json prints it (MemoryUsage is the submit-time
  // expression; ResidentSetSize the peak in KiB; DiskUsage KiB; CPU and wall in seconds).
  const completed = parseAdsJson(`[
{
  "ClusterId": 31,
  "CompletionDate": 1732191100,
  "DiskUsage": 2500,
  "ExitBySignal": false,
  "ExitCode": 0,
  "JobCurrentStartDate": 1732191090,
  "JobStatus": 4,
  "MemoryUsage": "\\/Expr(( ( ResidentSetSize + 1023 ) / 1024 ))\\/",
  "ProcId": 0,
  "RemoteSysCpu": 0.25,
  "RemoteUserCpu": 1.5,
  "RemoteWallClockTime": 10.0,
  "ResidentSetSize": 204800
}
]`)[0];

  test('the poll asks for every usage attribute', () => {
    for (const a of [
      'MemoryUsage',
      'ResidentSetSize',
      'RemoteUserCpu',
      'RemoteSysCpu',
      'RemoteWallClockTime',
      'DiskUsage',
    ])
      expect(POLL_ATTRIBUTES).toContain(a);
  });
  test('ResidentSetSize KiB, CPU user + sys, wall, DiskUsage KiB', () => {
    expect(exprOf(completed.MemoryUsage)).not.toBeNull();
    expect(adUsage(completed)).toEqual({
      maxRssBytes: 200 * 1024 * 1024,
      cpuSeconds: 1.75,
      wallSeconds: 10,
      maxDiskBytes: 2500 * 1024,
      source: 'htcondor',
    });
  });
  test('MemoryUsage in MiB when it is a number and ResidentSetSize is missing', () => {
    expect(adUsage({ MemoryUsage: 300, RemoteUserCpu: 2 })).toEqual({
      maxRssBytes: 300 * 1024 * 1024,
      cpuSeconds: 2,
      source: 'htcondor',
    });
  });
  test('an ad without figures has no usage', () => {
    expect(adUsage({ ClusterId: 1, ProcId: 0, JobStatus: 4, ResidentSetSize: 0 })).toBeNull();
    expect(adUsage({ MemoryUsage: '/Expr(( ( ResidentSetSize + 1023 ) / 1024 ))/' })).toBeNull();
  });
  test('final ads are completed, removed and held ones', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(s => isFinalAd({ JobStatus: s }))).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
  });
  test('a terminal update from a final ad carries the usage, over the wrapper record', () => {
    const u = interpretAd(tracked('running'), completed, noRecords).update!;
    expect(u).toMatchObject({
      status: 'completed',
      usage: { maxRssBytes: 200 * 1024 * 1024, cpuSeconds: 1.75, source: 'htcondor' },
    });
    const exit = { exitCode: 0, at: new Date(1732191099_000) };
    const r = interpretAd(tracked('running'), completed, { exit, started: null }).update!;
    expect(r.usage).toMatchObject({ cpuSeconds: 1.75, wallSeconds: 10, source: 'htcondor' });
  });
  test('a running ad with an exit record: the record ends the job, its figures do not count', () => {
    const running = { ...completed, JobStatus: 2 };
    const exit = { exitCode: 0, at: new Date(1732191099_000) };
    const u = interpretAd(tracked('running'), running, { exit, started: null }).update!;
    expect(u.status).toBe('completed');
    expect(u.usage?.source).not.toBe('htcondor');
  });
});
