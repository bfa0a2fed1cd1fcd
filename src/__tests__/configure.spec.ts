import type { RowError } from '../api/types';
import {
  backendEntries,
  backendLabel,
  errorsOutsideGrid,
  hasSharedValues,
  lockedNote,
  resourcePlaceholder,
  rowErrorText,
  rowsFileName,
  runLabel,
  withFanIn,
  withFanInApp,
  withFanInParam,
  withFanInResources,
  withFanInWhen,
} from '../model/configure';
import type { Draft } from '../model/draft';
import { trans } from './trans';

const draft = (fanIn: Draft['fanIn'] = null): Draft => ({
  app: 'demo-echo',
  rows: [{}],
  shared: {},
  resources: {},
  backend: '',
  label: '',
  maxParallel: '',
  fanIn,
  idempotencyKey: 'k',
});

describe('Configure tab backends', () => {
  const health = {
    ok: true,
    version: '1',
    backends: {
      local: { available: true, detail: '' },
      slurm: { available: false, detail: 'sbatch not found' },
    },
  };

  it('lists the reported backends in order, none before health loads', () => {
    expect(backendEntries(health).map(([name]) => name)).toEqual(['local', 'slurm']);
    expect(backendEntries(null)).toEqual([]);
  });

  it('says why a backend is unavailable', () => {
    expect(backendLabel('local', health.backends.local, trans)).toBe('local');
    expect(backendLabel('slurm', health.backends.slurm, trans)).toBe(
      'slurm (unavailable: sbatch not found)'
    );
  });
});

describe('Configure tab fields', () => {
  it('shows the app default in an empty resource field, else "default"', () => {
    expect(resourcePlaceholder({ cpus: 2, memory: '1GB' }, 'cpus', trans)).toBe('2');
    expect(resourcePlaceholder({ cpus: 2 }, 'memory', trans)).toBe('default');
    expect(resourcePlaceholder({ gpus: 0 }, 'gpus', trans)).toBe('0');
    expect(resourcePlaceholder(undefined, 'walltime', trans)).toBe('default');
  });

  it('opens the shared parameters when one has a value', () => {
    expect(hasSharedValues({})).toBe(false);
    expect(hasSharedValues({ a: '', b: '' })).toBe(false);
    expect(hasSharedValues({ a: '', b: 'x' })).toBe(true);
  });

  it('names the exported rows after the app', () => {
    expect(rowsFileName('demo-echo')).toBe('demo-echo-rows.csv');
    expect(rowsFileName('')).toBe('bulkrun-rows.csv');
  });
});

describe('Configure tab run bar', () => {
  const errors: RowError[] = [
    { row: 0, field: 'message', message: 'is required' },
    { row: 1, field: 'gone', message: 'is not a parameter' },
    { row: null, field: 'message', message: 'is too long' },
  ] as RowError[];

  it('lists the server errors the grid cannot show at a cell', () => {
    expect(errorsOutsideGrid(errors, ['message'])).toEqual([errors[1], errors[2]]);
    expect(errorsOutsideGrid(errors, ['message', 'gone'])).toEqual([errors[2]]);
    expect(errorsOutsideGrid([], ['message'])).toEqual([]);
  });

  it('numbers rows from 1 in an error, and leaves batch-wide errors unnumbered', () => {
    expect(rowErrorText(errors[1], trans)).toBe('Row 2: gone is not a parameter');
    expect(rowErrorText(errors[2], trans)).toBe('message is too long');
  });

  it('counts the tasks on Run, or says it is submitting', () => {
    expect(runLabel(false, 1, trans)).toBe('Run 1 task');
    expect(runLabel(false, 3, trans)).toBe('Run 3 tasks');
    expect(runLabel(true, 3, trans)).toBe('Submitting…');
  });

  it('does not say a batch that has ended keeps running', () => {
    expect(lockedNote(true, trans)).toBe(
      'This configuration was submitted. Editing starts a new batch.'
    );
    expect(lockedNote(false, trans)).toContain('the current one keeps running');
  });
});

describe('Configure tab fan-in edits', () => {
  const on = withFanIn(draft(), true);

  it('ticking starts a fan-in with no app, unticking drops it', () => {
    expect(on.fanIn).toEqual({ app: '', when: 'all_completed', params: {}, resources: {} });
    expect(withFanIn(on, false).fanIn).toBeNull();
    expect(on.app).toBe('demo-echo');
  });

  it('changing the app drops the values typed for the old one', () => {
    const d = withFanInParam(withFanInApp(on, 'demo-merge'), 'pattern', '*.txt');
    expect(d.fanIn?.params).toEqual({ pattern: '*.txt' });
    const other = withFanInApp(withFanInResources(d, { cpus: '2' }), 'other');
    expect(other.fanIn).toEqual({
      app: 'other',
      when: 'all_completed',
      params: {},
      resources: { cpus: '2' },
    });
  });

  it('sets the policy, a parameter and the resources, keeping the rest', () => {
    let d = withFanInWhen(withFanInApp(on, 'm'), 'all_finished');
    d = withFanInParam(withFanInParam(d, 'a', '1'), 'b', '2');
    d = withFanInParam(d, 'a', '3');
    d = withFanInResources(d, { memory: '2GB' });
    expect(d.fanIn).toEqual({
      app: 'm',
      when: 'all_finished',
      params: { a: '3', b: '2' },
      resources: { memory: '2GB' },
    });
    expect(on.fanIn?.params).toEqual({});
  });

  it('leaves a draft without a fan-in unchanged', () => {
    const d = draft();
    expect(withFanInApp(d, 'x')).toBe(d);
    expect(withFanInWhen(d, 'all_finished')).toBe(d);
    expect(withFanInParam(d, 'a', '1')).toBe(d);
    expect(withFanInResources(d, {})).toBe(d);
  });
});
