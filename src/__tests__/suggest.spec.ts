import type { AppUsage, UsageModel } from 'bulkrun-server/dist/protocol';
import type { JSONSchema } from '../api/types';
import {
  askedResources,
  MODEL_MARGIN,
  modelParams,
  modelRows,
  predictMax,
  suggest,
  suggestionAction,
  usageLine,
  walltimeString,
} from '../model/suggest';
import { trans } from './trans';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function usage(p: Partial<AppUsage> = {}): AppUsage {
  return {
    app: 'a',
    version: '1',
    inheritedFrom: null,
    runs: 142,
    failures: { oom: 0, timeout: 0 },
    memory: { p50: GiB, p95: 1.3 * GiB, max: 1.5 * GiB },
    wall: { p50: 300, p95: 540, max: 600 },
    cpuEfficiency: { p50: 0.9, p95: 1, max: 1 },
    requested: { memoryBytes: 8 * GiB, walltimeSeconds: 3600 },
    models: [],
    suggestion: { memory: '1700M', walltime: '00:13:00' },
    method: 'Memory: the largest peak plus 10%.',
    failureBound: 0,
    windowDays: 90,
    ...p,
  };
}

const memModel = (p: Partial<UsageModel> = {}): UsageModel => ({
  measure: 'maxRssBytes',
  param: 'size',
  of: 'value',
  slope: MiB,
  intercept: 100 * MiB,
  r2: 0.95,
  residualP95: 10 * MiB,
  ...p,
});

describe('the suggestion for a draft', () => {
  it('uses the server suggestion without models', () => {
    expect(suggest(usage(), [{}], trans)).toEqual({
      memory: '1700M',
      walltime: '00:13:00',
      basis: 'From 142 past runs.',
    });
  });

  it('predicts each row from a model and keeps the largest, with headroom', () => {
    const u = usage({ models: [memModel()] });
    const s = suggest(u, [{ size: 100 }, { size: 400 }, { size: 50 }], trans)!;
    // (100 + 400 + 10) MiB × 1.1 = 561 MiB, rounded up to whole MiB.
    expect(s.memory).toBe(`${Math.ceil(510 * MODEL_MARGIN)}M`);
    expect(s.memory).toBe('561M');
    // No wall model: the walltime is the server's.
    expect(s.walltime).toBe('00:13:00');
    expect(s.basis).toBe('Predicted for the largest row: memory from each row’s size.');
  });

  it('predicts walltime rounded up to the minute, at least one', () => {
    const wall = memModel({
      measure: 'wallSeconds',
      param: 'n',
      slope: 10,
      intercept: 5,
      residualP95: 0,
    });
    const s = suggest(usage({ models: [wall] }), [{ n: 60 }], trans)!;
    // (5 + 600) × 1.1 = 665.5 s → 12 min.
    expect(s.walltime).toBe('00:12:00');
    expect(walltimeString(1)).toBe('00:01:00');
    expect(walltimeString(3600)).toBe('01:00:00');
    expect(walltimeString(86400 + 61)).toBe('1-00:02:00');
  });

  it('falls back to the server when a row has no number for the parameter', () => {
    const u = usage({ models: [memModel()] });
    expect(suggest(u, [{ size: 100 }, {}], trans)!.memory).toBe('1700M');
    expect(suggest(u, [{ size: 100 }, { size: 'x' }], trans)!.memory).toBe('1700M');
    expect(suggest(u, [{ size: Infinity }], trans)!.memory).toBe('1700M');
    expect(suggest(u, [], trans)!.memory).toBe('1700M');
    // A file-size model needs sizes the page does not know.
    expect(predictMax(memModel({ of: 'bytes' }), [{ size: 1 }])).toBeNull();
    // A fit that predicts nothing positive is not used.
    expect(predictMax(memModel({ intercept: -1000 * MiB }), [{ size: 1 }])).toBeNull();
  });

  it('suggests nothing with too few runs and no model', () => {
    expect(suggest(usage({ runs: 3, suggestion: null }), [{}], trans)).toBeNull();
    expect(suggest(usage({ suggestion: {} }), [{}], trans)).toBeNull();
  });

  it('types the rows the models read: own value, else shared, else the default', () => {
    const schema: JSONSchema = {
      properties: {
        size: { type: 'integer', default: 7 },
        name: { type: 'string' },
      },
    };
    const rows: Record<string, string>[] = [{ size: '3' }, { size: '' }, {}, { size: 'many' }];
    expect(modelRows(rows, {}, schema, ['size'])).toEqual([
      { size: 3 },
      { size: 7 },
      { size: 7 },
      {},
    ]);
    expect(modelRows(rows, { size: '5' }, schema, ['size', 'missing'])).toEqual([
      { size: 3 },
      { size: 5 },
      { size: 5 },
      {},
    ]);
    expect(
      modelParams(usage({ models: [memModel(), memModel({ measure: 'wallSeconds' })] }))
    ).toEqual(['size']);
    expect(modelParams(usage({ models: [memModel({ of: 'bytes' })] }))).toEqual([]);
  });
});

describe('the hint line', () => {
  const asked = { memoryBytes: 8 * GiB, walltimeSeconds: 3600 };

  it('says the runs, the peak and what the draft asks', () => {
    const u = usage();
    expect(usageLine(u, asked, suggest(u, [{}], trans), trans)).toBe(
      '142 past runs · peak memory p95 1.3 GB · you ask 8 GB · run time p95 9 min · you ask 1 h'
    );
    const quick = usage({ memory: null, wall: { p50: 0.2, p95: 0.4, max: 0.5 } });
    expect(usageLine(quick, asked, suggest(u, [{}], trans), trans)).toBe(
      '142 past runs · run time p95 under 1 s · you ask 1 h'
    );
    const none = { memoryBytes: null, walltimeSeconds: null };
    expect(usageLine(usage({ wall: null }), none, suggest(u, [{}], trans), trans)).toBe(
      '142 past runs · peak memory p95 1.3 GB'
    );
  });

  it('names the version the history comes from, and the failures', () => {
    const u = usage({ inheritedFrom: '0.9', failures: { oom: 2, timeout: 1 }, wall: null });
    expect(usageLine(u, asked, suggest(u, [{}], trans), trans)).toBe(
      '142 past runs (from version 0.9) · peak memory p95 1.3 GB · you ask 8 GB · 2 ran out of memory · 1 timed out'
    );
  });

  it('is quiet with too few runs, and absent with none', () => {
    const u = usage({ runs: 3, suggestion: null });
    expect(usageLine(u, asked, null, trans)).toBe('3 past runs: too few to suggest');
    expect(usageLine(usage({ runs: 1, suggestion: null }), asked, null, trans)).toBe(
      '1 past run: too few to suggest'
    );
    expect(usageLine(usage({ runs: 0, suggestion: null }), asked, null, trans)).toBeNull();
  });
});

describe('what the draft asks for', () => {
  it('reads its own value, else the app default; unreadable is unknown', () => {
    expect(askedResources({ memory: '8G' }, { memory: '100M', walltime: '00:10:00' })).toEqual({
      memoryBytes: 8 * GiB,
      walltimeSeconds: 600,
    });
    expect(askedResources({ memory: ' ', walltime: '1h' }, { memory: '100M' })).toEqual({
      memoryBytes: 100 * MiB,
      walltimeSeconds: 3600,
    });
    expect(askedResources({ memory: 'lots' }, undefined)).toEqual({
      memoryBytes: null,
      walltimeSeconds: null,
    });
  });
});

describe('the Use button', () => {
  const s = { memory: '1700M', walltime: '00:13:00', basis: '' };

  it('sets what differs from the draft, labelled for people', () => {
    expect(suggestionAction(s, { memoryBytes: 8 * GiB, walltimeSeconds: 3600 }, trans)).toEqual({
      label: 'Use 1.7 GB, 13 min',
      resources: { memory: '1700M', walltime: '00:13:00' },
    });
    expect(suggestionAction(s, { memoryBytes: 1700 * MiB, walltimeSeconds: null }, trans)).toEqual({
      label: 'Use 13 min',
      resources: { walltime: '00:13:00' },
    });
  });

  it('offers nothing once applied, or without a suggestion', () => {
    expect(
      suggestionAction(s, { memoryBytes: 1700 * MiB, walltimeSeconds: 780 }, trans)
    ).toBeNull();
    expect(suggestionAction(null, { memoryBytes: null, walltimeSeconds: null }, trans)).toBeNull();
  });
});
