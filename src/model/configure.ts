/**
 * The Configure tab's forms (src/cell/configure/): which backends, fields and errors they
 * show, their labels, and how an edit of the fan-in changes the draft.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { FanInPolicy, HealthReport, Resources, RowError } from '../api/types';
import type { Draft } from './draft';

export type BackendHealth = HealthReport['backends'][string];

/** The backends the server reported, in its order; none before health has loaded. */
export function backendEntries(health: HealthReport | null): [string, BackendHealth][] {
  return health ? Object.entries(health.backends) : [];
}

/** The backend menu's entry: an unavailable backend says why (it cannot be chosen). */
export function backendLabel(name: string, b: BackendHealth, trans: TranslationBundle): string {
  return b.available ? name : trans.__('%1 (unavailable: %2)', name, b.detail);
}

/** The placeholder of an empty resource field: the app's default, else "default". */
export function resourcePlaceholder(
  defaults: Resources | undefined,
  field: keyof Resources & string,
  trans: TranslationBundle
): string {
  return defaults?.[field] !== undefined ? String(defaults[field]) : trans.__('default');
}

/** The shared parameters start open when one has a value, so it is not overlooked. */
export function hasSharedValues(shared: Record<string, string>): boolean {
  return Object.values(shared).some(Boolean);
}

/** Server errors the grid cannot show at a cell: batch-wide, or of a field it has no column for. */
export function errorsOutsideGrid(errors: readonly RowError[], columns: string[]): RowError[] {
  return errors.filter(e => e.row === null || !columns.includes(e.field));
}

/** One server error under the Run button, with its row when it has one. */
export function rowErrorText(e: RowError, trans: TranslationBundle): string {
  return `${e.row !== null ? trans.__('Row %1: ', e.row + 1) : ''}${e.field} ${e.message}`;
}

export function runLabel(submitting: boolean, tasks: number, trans: TranslationBundle): string {
  return submitting ? trans.__('Submitting…') : trans._n('Run %1 task', 'Run %1 tasks', tasks);
}

/** The note over a submitted configuration; a batch that has ended is not said to keep running. */
export function lockedNote(batchFinished: boolean, trans: TranslationBundle): string {
  return batchFinished
    ? trans.__('This configuration was submitted. Editing starts a new batch.')
    : trans.__(
        'This configuration was submitted. Editing starts a new batch; the current one keeps running.'
      );
}

/** The name "Export CSV" downloads the rows as. */
export function rowsFileName(app: string): string {
  return `${app || 'bulkrun'}-rows.csv`;
}

type FanIn = NonNullable<Draft['fanIn']>;

/** Ticking "Run a fan-in job" starts with no app chosen; unticking drops the fan-in. */
export function withFanIn(d: Draft, on: boolean): Draft {
  return {
    ...d,
    fanIn: on ? { app: '', when: 'all_completed', params: {}, resources: {} } : null,
  };
}

function editFanIn(d: Draft, edit: (f: FanIn) => Partial<FanIn>): Draft {
  return d.fanIn ? { ...d, fanIn: { ...d.fanIn, ...edit(d.fanIn) } } : d;
}

/** Another fan-in app has other parameters: the values typed for the old one are dropped. */
export function withFanInApp(d: Draft, app: string): Draft {
  return editFanIn(d, () => ({ app, params: {} }));
}

export function withFanInWhen(d: Draft, when: FanInPolicy): Draft {
  return editFanIn(d, () => ({ when }));
}

export function withFanInParam(d: Draft, name: string, value: string): Draft {
  return editFanIn(d, f => ({ params: { ...f.params, [name]: value } }));
}

export function withFanInResources(d: Draft, resources: Resources): Draft {
  return editFanIn(d, () => ({ resources }));
}
