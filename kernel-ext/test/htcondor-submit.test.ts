/** The submit description and itemdata Bulkrun hands to condor_submit, checked as text. */
import type { SubmitItem } from '../src/backends/base';
import {
  buildSubmitFiles,
  checkSubmitPath,
  diskToKiB,
  memoryToMiB,
  planClusters,
  stripContainerPrefix,
  walltimeToSeconds,
  type SubmitSettings,
} from '../src/backends/htcondor-submit';
import { preludeScript } from '../src/backends/htcondor';
import { containerArgv } from '../src/backends/container';

const settings: SubmitSettings = {
  wrapperPath: '/srv/bulkrun/state/htcondor/htcondor-job.sh',
  eventLog: '/srv/bulkrun/state/htcondor/logs/g1.log',
};

function item(n: number, over: Partial<SubmitItem> = {}): SubmitItem {
  return {
    jobId: `job${n}`,
    batchId: 'b1',
    role: 'task',
    index: n,
    workDir: `/srv/bulkrun/jobs/job${n}`,
    argv: ['echo', String(n)],
    resources: { cpus: 2, memory: '2G' },
    priority: 0,
    ...over,
  };
}

const plan1 = (
  items: SubmitItem[],
  opts: Partial<Parameters<typeof planClusters>[2]> = {},
  s = settings
) => planClusters(items, s, { maxJobsPerSubmission: 20000, lateMaterialize: true, ...opts });

describe('units', () => {
  test('memory to MiB', () => {
    expect(memoryToMiB('2G')).toBe(2048);
    expect(memoryToMiB('512M')).toBe(512);
    expect(memoryToMiB('1.5GB')).toBe(1536);
    expect(memoryToMiB('100K')).toBe(1);
    expect(memoryToMiB('4096')).toBe(4096);
    expect(memoryToMiB('1T')).toBe(1048576);
    // The forms Slurm takes work here too (src/units.ts): 2Gi once threw on HTCondor.
    expect(memoryToMiB('2Gi')).toBe(2048);
    expect(memoryToMiB('2GiB')).toBe(2048);
    expect(memoryToMiB('8 gib')).toBe(8192);
    expect(memoryToMiB('1P')).toBe(1024 ** 3);
    expect(memoryToMiB(300)).toBe(300);
    expect(memoryToMiB(undefined)).toBeNull();
    expect(memoryToMiB(null)).toBeNull();
    expect(() => memoryToMiB('lots')).toThrow(/Invalid memory/);
    expect(() => memoryToMiB('8 gigs')).toThrow(
      "Invalid memory '8 gigs': use a number with a unit"
    );
    expect(() => memoryToMiB('0')).toThrow(/more than zero/);
    expect(() => memoryToMiB('')).toThrow(/Invalid memory ''/);
  });
  test('disk to KiB', () => {
    expect(diskToKiB('10G')).toBe(10 * 1024 * 1024);
    expect(diskToKiB('10GiB')).toBe(10 * 1024 * 1024);
    expect(diskToKiB('100')).toBe(100 * 1024);
    expect(diskToKiB('')).toBeNull();
    expect(diskToKiB(undefined)).toBeNull();
    expect(() => diskToKiB('big')).toThrow(/Invalid disk 'big'/);
  });
  test('walltime to seconds', () => {
    expect(walltimeToSeconds('01:30:00')).toBe(5400);
    expect(walltimeToSeconds('1-00:00:00')).toBe(86400);
    expect(walltimeToSeconds('2-12')).toBe(2 * 86400 + 12 * 3600);
    expect(walltimeToSeconds('90')).toBe(5400);
    expect(walltimeToSeconds(90)).toBe(5400);
    expect(walltimeToSeconds('10:30')).toBe(630);
    expect(walltimeToSeconds('1h30m')).toBe(5400);
    expect(walltimeToSeconds('90s')).toBe(90);
    expect(walltimeToSeconds('1d2h')).toBe(93600);
    expect(walltimeToSeconds(undefined)).toBeNull();
    expect(() => walltimeToSeconds('soon')).toThrow(/Invalid walltime/);
    expect(() => walltimeToSeconds('0')).toThrow(/more than zero/);
  });
});

describe('submit description', () => {
  test('a batch chunk: one cluster, itemdata with job id then work dir', () => {
    const { plans, rejected } = plan1([item(0), item(1), item(2)]);
    expect(rejected).toEqual([]);
    expect(plans).toHaveLength(1);
    const f = buildSubmitFiles(
      plans[0],
      'g1',
      '/srv/bulkrun/state/htcondor/submit/g1.items',
      settings
    );
    expect(f.description).toBe(
      [
        '# Bulkrun submission g1: 3 job(s), one cluster',
        'universe = vanilla',
        'executable = /bin/bash',
        'transfer_executable = false',
        `arguments = "'/srv/bulkrun/state/htcondor/htcondor-job.sh' '$(workdir)'"`,
        'getenv = false',
        'environment = "BULKRUN_REQUEUE_OK=1"',
        'initialdir = $(workdir)',
        'output = condor.out',
        'error = condor.err',
        'log = /srv/bulkrun/state/htcondor/logs/g1.log',
        'should_transfer_files = NO',
        'request_cpus = 2',
        'request_memory = 2048',
        'priority = 0',
        '+JobBatchName = "bulkrun:g1"',
        '+BulkrunGroup = "g1"',
        '+BulkrunJobId = "$(jobid)"',
        'queue jobid,workdir from /srv/bulkrun/state/htcondor/submit/g1.items',
        '',
      ].join('\n')
    );
    expect(f.itemdata).toBe(
      'job0 /srv/bulkrun/jobs/job0\njob1 /srv/bulkrun/jobs/job1\njob2 /srv/bulkrun/jobs/job2\n'
    );
  });

  test('site settings, walltime, disk, gpus, maxParallel', () => {
    const s: SubmitSettings = {
      ...settings,
      eventLog: null,
      concurrencyLimits: ['bulkrun', 'db:2'],
      accountingGroup: 'group_bio.alice',
      fileTransfer: { shouldTransferFiles: 'IF_NEEDED' },
      extraCommands: ['requirements = (OpSys == "LINUX")'],
    };
    const it = item(0, {
      resources: { cpus: 1, memory: '512M', disk: '10G', gpus: 1, walltime: '02:00:00' },
    });
    const { plans } = plan1([it], { maxParallel: 4, maxIdle: 100 }, s);
    const text = buildSubmitFiles(plans[0], 'g2', '/tmp/g2.items', s).description;
    expect(text).not.toContain('\nlog =');
    for (const line of [
      'should_transfer_files = IF_NEEDED',
      'when_to_transfer_output = ON_EXIT',
      'request_memory = 512',
      'request_disk = 10485760',
      'request_gpus = 1',
      'allowed_job_duration = 7200',
      'concurrency_limits = bulkrun,db:2',
      '+AccountingGroup = "group_bio.alice"',
      'requirements = (OpSys == "LINUX")',
      'max_materialize = 4',
      'max_idle = 100',
    ]) {
      expect(text).toContain(line + '\n');
    }
  });

  test('single jobs and fan-ins get a higher priority than batch rows', () => {
    const { plans } = plan1([
      item(0),
      item(1, { role: 'single', batchId: null, index: null }),
      item(2, { role: 'fan_in' }),
    ]);
    expect(plans.map(p => [p.shape.priority, p.items.map(i => i.jobId)])).toEqual([
      [0, ['job0']],
      [10, ['job1', 'job2']],
    ]);
  });

  test('different resources make different clusters; same ones share', () => {
    const { plans } = plan1([item(0), item(1, { resources: { cpus: 8 } }), item(2)]);
    expect(plans.map(p => p.items.map(i => i.jobId))).toEqual([['job0', 'job2'], ['job1']]);
  });

  test('above MAX_JOBS_PER_SUBMISSION: one late-materialized cluster, or chunks', () => {
    const items = Array.from({ length: 5 }, (_, i) => item(i));
    const late = plan1(items, { maxJobsPerSubmission: 2 }).plans;
    expect(late).toHaveLength(1);
    expect(late[0].maxMaterialize).toBe(2);
    const chunks = plan1(items, { maxJobsPerSubmission: 2, lateMaterialize: false }).plans;
    expect(chunks.map(p => p.items.length)).toEqual([2, 2, 1]);
    expect(chunks.every(p => p.maxMaterialize === null)).toBe(true);
  });

  test('work dirs with spaces and commas survive; quotes and $ are refused per item', () => {
    const { plans, rejected } = plan1([
      item(0, { workDir: '/data/my jobs/a,b' }),
      item(1, { workDir: '/data/$(HOME)/x' }),
      item(2, { workDir: "/data/it's" }),
      item(3, { workDir: 'relative/dir' }),
      item(4, { resources: { memory: 'huge' } }),
    ]);
    expect(plans[0].items.map(i => i.jobId)).toEqual(['job0']);
    expect(buildSubmitFiles(plans[0], 'g', '/tmp/x', settings).itemdata).toBe(
      'job0 /data/my jobs/a,b\n'
    );
    expect(rejected.map(r => r.jobId)).toEqual(['job1', 'job2', 'job3', 'job4']);
    expect(rejected[0].error).toMatch(/macro/);
    expect(rejected[3].error).toMatch(/Invalid memory/);
    expect(checkSubmitPath('/ok/path', 'x')).toBeNull();
  });

  test('container universe: image in the description, argv without the runtime prefix', () => {
    const container = { image: 'quay.io/biocontainers/samtools:1.17', runtime: 'docker' as const };
    const wd = '/srv/bulkrun/jobs/job0';
    const argv = containerArgv(container, ['samtools', 'view', 'x.bam'], wd);
    const it = item(0, { container, argv });
    const s = { ...settings, containerUniverse: true };
    const text = buildSubmitFiles(plan1([it], {}, s).plans[0], 'g', '/tmp/x', s).description;
    expect(text).toContain(
      'universe = container\ncontainer_image = docker://quay.io/biocontainers/samtools:1.17\n'
    );
    expect(stripContainerPrefix(argv, container, wd)).toEqual(['samtools', 'view', 'x.bam']);
    // Without the setting the argv already carries the runtime and the universe stays vanilla.
    expect(buildSubmitFiles(plan1([it]).plans[0], 'g', '/tmp/x', settings).description).toContain(
      'universe = vanilla\n'
    );
  });

  test('the job entry refuses cancelled rows, then runs the shared wrapper', () => {
    expect(preludeScript('/srv/state/wrapper.sh')).toBe(
      [
        '#!/bin/bash',
        '# Bulkrun HTCondor job entry: bash htcondor-job.sh WORKDIR',
        '[ -e "$1/htcondor-cancelled" ] && exit 0',
        'exec /bin/bash \'/srv/state/wrapper.sh\' "$1"',
        '',
      ].join('\n')
    );
  });
});
