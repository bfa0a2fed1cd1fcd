/** Memory sizes and durations (src/units.ts), and that every consumer reads them alike. */
import fc from 'fast-check';
import { checkAppDocument } from '../src/apps/registry';
import { memoryToMiB as condorMiB, walltimeToSeconds } from '../src/backends/htcondor-submit';
import { memoryToSlurm as slurmMem, walltimeToSlurm } from '../src/backends/slurm-script';
import { checkResources, memoryToMB } from '../src/engine/validate';
import {
  canonicalMemory,
  durationToSlurm,
  formatBytes,
  formatDuration,
  GiB,
  isDuration,
  isMemory,
  KiB,
  memoryToMiB,
  memoryToSlurm,
  MiB,
  parseDuration,
  parseMemory,
  UnitError,
  unitProblem,
} from '../src/units';

const TiB = 1024 * GiB;

describe('parseMemory', () => {
  test.each<[string | number, number]>([
    ['512M', 512 * MiB],
    ['2G', 2 * GiB],
    ['2GiB', 2 * GiB],
    ['2Gi', 2 * GiB],
    ['2GB', 2 * GiB],
    ['1.5GB', 1.5 * GiB],
    ['1.5GiB', 1.5 * GiB],
    ['1024K', MiB],
    ['1024KiB', MiB],
    ['1024KB', MiB],
    ['1024Ki', MiB],
    ['1T', TiB],
    ['1P', 1024 * TiB],
    ['8P', 8 * 1024 * TiB], // the largest
    ['512m', 512 * MiB],
    ['2g', 2 * GiB],
    ['2gib', 2 * GiB],
    ['2 G', 2 * GiB],
    ['2 GiB', 2 * GiB],
    ['  8G  ', 8 * GiB],
    ['4096B', 4096],
    ['4096b', 4096],
    ['0.5B', 1], // rounded up to a whole byte
    ['1024', 1024 * MiB], // a bare number is megabytes, as in Slurm
    ['1.5', 1.5 * MiB],
    [1024, 1024 * MiB],
    [0.5, 0.5 * MiB],
  ])('%p is %p bytes', (v, bytes) => {
    expect(parseMemory(v)).toBe(bytes);
    expect(isMemory(v)).toBe(true);
    expect(unitProblem('memory', v)).toBeNull();
  });

  test.each<[unknown, RegExp]>([
    ['', /use a number with a unit/],
    ['   ', /use a number with a unit/],
    ['8 gigs', /use a number with a unit/],
    ['lots', /use a number with a unit/],
    ['G', /use a number with a unit/],
    ['2X', /use a number with a unit/],
    ['2 GiBs', /use a number with a unit/],
    ['2i', /use a number with a unit/],
    ['2iB', /use a number with a unit/],
    ['1e3', /use a number with a unit/],
    ['.5G', /use a number with a unit/],
    ['1.G', /use a number with a unit/],
    ['NaN', /use a number with a unit/],
    ['Infinity', /use a number with a unit/],
    ['+2G', /use a number with a unit/],
    ['2G2M', /use a number with a unit/],
    ['-abc', /use a number with a unit/],
    ['0', /more than zero/],
    ['0G', /more than zero/],
    ['0.0M', /more than zero/],
    ['-1G', /more than zero/],
    ['-512', /more than zero/],
    [0, /more than zero/],
    [-5, /more than zero/],
    [NaN, /use a number with a unit/],
    [Infinity, /use a number with a unit/],
    ['99999999T', /too large/],
    ['8193T', /too large/],
    [null, /use a number with a unit/],
    [undefined, /use a number with a unit/],
    [{}, /use a number with a unit/],
  ])('%p is refused', (v, reason) => {
    expect(() => parseMemory(v as string)).toThrow(UnitError);
    expect(() => parseMemory(v as string)).toThrow(reason);
    expect(isMemory(v)).toBe(false);
    expect(unitProblem('memory', v)).toMatch(reason);
  });

  test('the error says what was wrong and what to write', () => {
    expect(() => parseMemory('8 gigs')).toThrow(
      "'8 gigs' is not a memory size: use a number with a unit, e.g. 512M, 2G, 1.5GiB"
    );
    expect(() => parseMemory('plenty', 'disk')).toThrow(
      "Invalid disk 'plenty': use a number with a unit, e.g. 512M, 2G, 1.5GiB"
    );
    try {
      parseMemory('0G');
    } catch (e) {
      expect(e).toBeInstanceOf(UnitError);
      expect(e).toMatchObject({ kind: 'memory', value: '0G', reason: 'it must be more than zero' });
    }
  });
});

describe('parseDuration', () => {
  test.each<[string | number, number]>([
    ['90s', 90],
    ['10m', 600],
    ['2h', 7200],
    ['1d', 86400],
    ['1h30m', 5400],
    ['1h 30m', 5400],
    ['1d2h', 93600],
    ['1d 2h 3m 4s', 93784],
    ['2H', 7200],
    ['10M', 600],
    ['1.5h', 5400],
    ['1.5d', 129600],
    ['0.5s', 1], // rounded up to a whole second
    ['01:30:00', 5400],
    ['1:30:00', 5400],
    ['100:00:00', 360000], // the first field is not capped
    ['10:30', 630], // MM:SS
    ['90:00', 5400],
    ['1-00:00:00', 86400],
    ['2-12:30:15', 2 * 86400 + 12 * 3600 + 30 * 60 + 15],
    ['2-12', 2 * 86400 + 12 * 3600], // D-HH
    ['2-12:30', 2 * 86400 + 12 * 3600 + 30 * 60], // D-HH:MM
    ['0-01', 3600],
    ['90', 5400], // a bare number is minutes, as in Slurm
    ['1.5', 90],
    [' 30m ', 1800],
    [45, 2700],
    [0.5, 30],
  ])('%p is %p seconds', (v, seconds) => {
    expect(parseDuration(v)).toBe(seconds);
    expect(isDuration(v)).toBe(true);
    expect(unitProblem('duration', v)).toBeNull();
  });

  test.each<[unknown, RegExp]>([
    ['', /use e\.g\. 90s/],
    ['soon', /use e\.g\. 90s/],
    ['10 minutes', /use e\.g\. 90s/],
    ['10min', /use e\.g\. 90s/],
    ['10ms', /use e\.g\. 90s/],
    ['1m30', /use e\.g\. 90s/],
    ['30m1h', /use e\.g\. 90s/], // units largest first
    ['h', /use e\.g\. 90s/],
    ['1:2:3:4', /use e\.g\. 90s/],
    ['1:', /use e\.g\. 90s/],
    ['1:123', /use e\.g\. 90s/],
    ['1-', /use e\.g\. 90s/],
    ['1.5:00', /use e\.g\. 90s/],
    ['NaN', /use e\.g\. 90s/],
    ['1:75', /below 60/],
    ['01:60:00', /below 60/],
    ['1-02:03:99', /below 60/],
    ['1-24', /below 24/],
    ['0', /more than zero/],
    ['0s', /more than zero/],
    ['00:00:00', /more than zero/],
    ['0-00', /more than zero/],
    ['-5', /more than zero/],
    ['-1h', /more than zero/],
    [0, /more than zero/],
    [-1, /more than zero/],
    [NaN, /use e\.g\. 90s/],
    ['9999999999999999', /too large/],
    [null, /use e\.g\. 90s/],
  ])('%p is refused', (v, reason) => {
    expect(() => parseDuration(v as string)).toThrow(UnitError);
    expect(() => parseDuration(v as string)).toThrow(reason);
    expect(isDuration(v)).toBe(false);
    expect(unitProblem('duration', v)).toMatch(reason);
  });

  test('the error says what was wrong and what to write', () => {
    expect(() => parseDuration('soon')).toThrow(
      "'soon' is not a duration: use e.g. 90s, 10m, 1h30m, 1d, HH:MM:SS, MM:SS or D-HH:MM:SS; a bare number is minutes"
    );
    expect(() => parseDuration('soon', 'walltime')).toThrow(/^Invalid walltime 'soon': use e\.g\./);
  });
});

describe('formatting', () => {
  test('memory for the schedulers: whole MiB, rounded up, at least 1', () => {
    expect(memoryToMiB(2 * GiB)).toBe(2048);
    expect(memoryToMiB(MiB + 1)).toBe(2);
    expect(memoryToMiB(1)).toBe(1);
    expect(memoryToSlurm(1.5 * GiB)).toBe('1536M');
    expect(memoryToSlurm(100 * KiB)).toBe('1M');
  });

  test('canonical memory: G, T or P when exact, else M', () => {
    expect(canonicalMemory(2 * GiB)).toBe('2G');
    expect(canonicalMemory(16 * GiB)).toBe('16G');
    expect(canonicalMemory(1700 * MiB)).toBe('1700M');
    expect(canonicalMemory(200 * MiB)).toBe('200M');
    expect(canonicalMemory(TiB)).toBe('1T');
    expect(canonicalMemory(1024 * TiB)).toBe('1P');
    expect(canonicalMemory(MiB + 1)).toBe('2M');
    expect(canonicalMemory(1)).toBe('1M');
  });

  test('durations for sbatch: [D-]HH:MM:SS, rounded up', () => {
    expect(durationToSlurm(90)).toBe('00:01:30');
    expect(durationToSlurm(5400)).toBe('01:30:00');
    expect(durationToSlurm(86400)).toBe('1-00:00:00');
    expect(durationToSlurm(93784)).toBe('1-02:03:04');
    expect(durationToSlurm(59.2)).toBe('00:01:00');
    expect(durationToSlurm(12 * 86400)).toBe('12-00:00:00');
  });

  test('bytes for people: binary units, short labels, one decimal below 10', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(200 * MiB)).toBe('200 MB');
    expect(formatBytes(1700 * MiB)).toBe('1.7 GB');
    expect(formatBytes(1.6 * GiB)).toBe('1.6 GB');
    expect(formatBytes(2 * GiB)).toBe('2 GB');
    expect(formatBytes(15.3 * GiB)).toBe('15 GB');
    expect(formatBytes(1023.99 * MiB)).toBe('1 GB');
    expect(formatBytes(3 * TiB)).toBe('3 TB');
    expect(formatBytes(2048 * 1024 * TiB)).toBe('2048 PB');
  });

  test('durations for people: every non-zero part', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(5400)).toBe('1h 30m');
    expect(formatDuration(3605)).toBe('1h 5s');
    expect(formatDuration(93784)).toBe('1d 2h 3m 4s');
    expect(formatDuration(86400)).toBe('1d');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(0.2)).toBe('1s');
  });
});

describe('round trips', () => {
  const mib = fc.integer({ min: 1, max: 64 * 1024 * 1024 });
  const seconds = fc.integer({ min: 1, max: 400 * 86400 });

  test('canonicalMemory and memoryToSlurm parse back to the same MiB', () => {
    fc.assert(
      fc.property(mib, fc.integer({ min: 0, max: MiB - 1 }), (m, extra) => {
        const bytes = (m - 1) * MiB + extra + 1; // anything in the m-th MiB
        expect(memoryToMiB(parseMemory(canonicalMemory(bytes)))).toBe(m);
        expect(memoryToMiB(parseMemory(memoryToSlurm(bytes)))).toBe(m);
        expect(parseMemory(String(m))).toBe(m * MiB);
      })
    );
  });

  test('durationToSlurm and formatDuration parse back to the same seconds', () => {
    fc.assert(
      fc.property(seconds, s => {
        expect(parseDuration(durationToSlurm(s))).toBe(s);
        expect(parseDuration(formatDuration(s))).toBe(s);
      })
    );
  });

  test('formatBytes is within 5% of the value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: Number.MAX_SAFE_INTEGER }), b => {
        expect(Math.abs(parseMemory(formatBytes(b)) - b) / b).toBeLessThan(0.05);
      })
    );
  });
});

describe('units are parsed alike everywhere', () => {
  const appDoc = (resources: object) => ({
    id: 'u',
    version: '1',
    title: 'U',
    command: ['true'],
    parameters: { type: 'object' },
    resources,
  });
  const outcome = (f: () => unknown): unknown => {
    try {
      return f();
    } catch {
      return 'refused';
    }
  };

  test.each([
    '512M',
    '2G',
    '2GiB',
    '2Gi',
    '8GiB',
    '1.5GB',
    '1.5 GiB',
    '1024K',
    '100K',
    '1T',
    '4096B',
    '1024',
    '2g',
    '8 gigs',
    '0G',
    '-1G',
    '',
    '2iB',
    'lots',
  ])('memory %p', v => {
    const mib = outcome(() => memoryToMiB(parseMemory(v)));
    const accepted = mib !== 'refused';
    // Both schemas, both backends and the OOM retry's reading agree.
    expect(checkResources({ memory: v }).length === 0).toBe(accepted);
    expect(checkResources({ disk: v }).length === 0).toBe(accepted);
    expect(checkAppDocument(appDoc({ memory: v })).length === 0).toBe(accepted);
    expect(checkAppDocument(appDoc({ disk: v })).length === 0).toBe(accepted);
    expect(outcome(() => slurmMem(v))).toBe(accepted ? `${mib}M` : 'refused');
    expect(outcome(() => condorMiB(v))).toBe(accepted ? mib : 'refused');
    if (accepted) expect(memoryToMB(v)).toBe(mib);
    else expect(memoryToMB(v)).toBeNaN();
  });

  test.each([
    '90s',
    '10m',
    '2h',
    '1h30m',
    '1d2h',
    '01:30:00',
    '10:30',
    '1-00:00:00',
    '2-12',
    '2-12:30',
    '90',
    '1',
    '1.5d',
    'soon',
    '0',
    '1:75',
    '1-24',
    '',
    '10min',
  ])('walltime %p', v => {
    const sec = outcome(() => parseDuration(v));
    const accepted = sec !== 'refused';
    expect(checkResources({ walltime: v }).length === 0).toBe(accepted);
    expect(checkAppDocument(appDoc({ walltime: v })).length === 0).toBe(accepted);
    // Slurm rounds --time up to whole minutes itself; its text still reads back exactly.
    expect(outcome(() => parseDuration(walltimeToSlurm(v)))).toBe(sec);
    expect(outcome(() => walltimeToSeconds(v))).toBe(sec);
  });

  test('schema messages name the field and quote the value', () => {
    expect(checkResources({ memory: '8 gigs', walltime: 'soon', disk: '0G' })).toEqual([
      {
        row: null,
        field: 'resources.memory',
        message: "is not a memory size: '8 gigs' (use a number with a unit, e.g. 512M, 2G, 1.5GiB)",
      },
      {
        row: null,
        field: 'resources.walltime',
        message:
          "is not a duration: 'soon' (use e.g. 90s, 10m, 1h30m, 1d, HH:MM:SS, MM:SS or D-HH:MM:SS; a bare number is minutes)",
      },
      {
        row: null,
        field: 'resources.disk',
        message: "is not a disk size: '0G' (it must be more than zero)",
      },
    ]);
    expect(checkAppDocument(appDoc({ memory: '8 gigs' }))).toEqual([
      'resources.memory: "8 gigs" is not a memory size (use a number with a unit, e.g. 512M, 2G, 1.5GiB)',
    ]);
  });
});
