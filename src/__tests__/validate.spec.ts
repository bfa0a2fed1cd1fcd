import type { JSONSchema } from '../api/types';
import { checkDraft, newDraft, typedResources } from '../model/draft';
import { coerce, validateCell, validateRows } from '../model/validate';

const schema: JSONSchema = {
  type: 'object',
  required: ['sample', 'count'],
  properties: {
    sample: { type: 'string', pattern: '^[A-Za-z0-9_]+$', minLength: 1 },
    count: { type: 'integer', minimum: 1, maximum: 10 },
    ratio: { type: 'number', exclusiveMaximum: 1 },
    mode: { type: 'string', enum: ['fast', 'slow'] },
    verbose: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const p = schema.properties!;

describe('coerce and validateCell', () => {
  it('types text by schema', () => {
    expect(coerce('42', p.count)).toEqual({ value: 42 });
    expect(coerce('4.2', p.count)).toEqual({ error: 'must be an integer' });
    expect(coerce('0.25', p.ratio)).toEqual({ value: 0.25 });
    expect(coerce('abc', p.ratio)).toEqual({ error: 'must be a number' });
    expect(coerce('yes', p.verbose)).toEqual({ value: true });
    expect(coerce('maybe', p.verbose).error).toBeDefined();
    expect(coerce('a, b', p.tags)).toEqual({ value: ['a', ' b'] });
    expect(coerce('["a","b"]', p.tags)).toEqual({ value: ['a', 'b'] });
    expect(coerce('  ', p.sample)).toEqual({});
  });

  it('checks enum, bounds and pattern', () => {
    expect(validateCell('medium', p.mode).error).toBe('must be one of: fast, slow');
    expect(validateCell('0', p.count).error).toBe('must be ≥ 1');
    expect(validateCell('11', p.count).error).toBe('must be ≤ 10');
    expect(validateCell('1', p.ratio).error).toBe('must be < 1');
    expect(validateCell('bad name', p.sample).error).toBe('must match ^[A-Za-z0-9_]+$');
    expect(validateCell('ok_1', p.sample)).toEqual({ value: 'ok_1' });
  });
});

describe('validateRows', () => {
  it('reports every row error at once with 0-based rows', () => {
    const r = validateRows(
      [{ sample: 's1', count: '2' }, { sample: 's 2', count: '' }, { count: 'x' }],
      {},
      schema
    );
    expect(r.errors).toEqual([
      { row: 1, field: 'sample', message: 'must match ^[A-Za-z0-9_]+$' },
      { row: 1, field: 'count', message: 'is required' },
      { row: 2, field: 'sample', message: 'is required' },
      { row: 2, field: 'count', message: 'must be an integer' },
    ]);
    expect(r.params[0]).toEqual({ sample: 's1', count: 2 });
  });

  it('lets shared values satisfy required parameters', () => {
    const r = validateRows([{ sample: 'a' }, { sample: 'b', count: '3' }], { count: '5' }, schema);
    expect(r.errors).toEqual([]);
    expect(r.shared).toEqual({ count: 5 });
    expect(r.params).toEqual([{ sample: 'a' }, { sample: 'b', count: 3 }]);
  });

  it('requires at least one row', () => {
    expect(validateRows([], {}, schema).errors).toEqual([
      { row: null, field: '', message: 'add at least one row' },
    ]);
  });
});

describe('checkDraft', () => {
  it('lists why Run is disabled', () => {
    const d = newDraft();
    expect(checkDraft(d, null, null, undefined, null).problems).toEqual(['Choose an app.']);
    d.app = 'x';
    d.rows = [{ sample: 'a', count: '0' }];
    d.resources = { memory: 'lots' };
    d.backend = 'slurm';
    const c = checkDraft(d, schema, null, 'nb.ipynb', {
      slurm: { available: false, detail: 'sbatch not found' },
    });
    expect(c.spec).toBeNull();
    expect(c.problems).toEqual([
      '1 row(s) have errors; first: row 1, count must be ≥ 1.',
      'Resource memory is not a memory size (use a number with a unit, e.g. 512M, 2G, 1.5GiB).',
      'Backend slurm is unavailable: sbatch not found.',
    ]);
  });

  it('a fan-in ticked without an app blocks Run', () => {
    const d = newDraft({ backend: 'local' });
    d.app = 'demo';
    d.rows = [{ sample: 'a', count: '1' }];
    d.fanIn = { app: '', when: 'all_completed', params: {}, resources: {} };
    const c = checkDraft(d, schema, { type: 'object', properties: {} }, 'nb.ipynb', null);
    expect(c.spec).toBeNull();
    expect(c.problems).toEqual(['Choose the fan-in app, or untick "Run a fan-in job".']);
  });

  it('builds the POST body with origin and idempotency key', () => {
    const d = newDraft({ backend: 'local' });
    d.app = 'demo';
    d.rows = [{ sample: 'a', count: '1' }];
    d.resources = { cpus: '2', memory: '1G' } as any;
    d.fanIn = { app: 'merge', when: 'all_finished', params: {}, resources: {} };
    const c = checkDraft(d, schema, { type: 'object', properties: {} }, 'work/nb.ipynb', null);
    expect(c.problems).toEqual([]);
    expect(c.spec).toEqual({
      app: 'demo',
      params: [{ sample: 'a', count: 1 }],
      resources: { cpus: 2, memory: '1G' },
      backend: 'local',
      fanIn: { app: 'merge', when: 'all_finished', params: {} },
      idempotencyKey: d.idempotencyKey,
      origin: 'work/nb.ipynb',
    });
  });
});

describe('typedResources', () => {
  it('takes the memory and walltime forms the server takes (kernel-ext/src/units.ts)', () => {
    const ok = typedResources({ memory: '8GiB', walltime: '1h30m' });
    expect(ok).toEqual({ value: { memory: '8GiB', walltime: '1h30m' }, errors: {} });
    for (const [memory, walltime] of [
      ['1024', '90'],
      ['2Gi', '2-12:00'],
      ['1.5 gb', '10:30'],
    ]) {
      expect(typedResources({ memory, walltime }).errors).toEqual({});
    }
    expect(typedResources({ memory: '8 gigs', walltime: '1:75' }).errors).toEqual({
      memory: 'is not a memory size (use a number with a unit, e.g. 512M, 2G, 1.5GiB)',
      walltime: 'is not a duration (minutes and seconds must be below 60)',
    });
    expect(typedResources({ memory: '0G' }).errors).toEqual({
      memory: 'is not a memory size (it must be more than zero)',
    });
  });
});
