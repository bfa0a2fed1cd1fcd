import {
  mergeWidgetState,
  referencedModelIds,
  savesModule,
  withoutModelRefs,
  WIDGET_STATE_MIME,
  WIDGET_VIEW_MIME,
} from '../widgets/state';
import { gridMetadata } from '../widgets/grid';

const view = (id: string) => ({
  output_type: 'display_data',
  data: { [WIDGET_VIEW_MIME]: { model_id: id } },
});
const saved = (module: string, batch = 'b1') => ({
  model_name: 'BulkrunBatchModel',
  model_module: module,
  model_module_version: '0.1.0',
  state: { batch_id: batch },
});

describe('widget state saved into the notebook', () => {
  it('finds the widget views in outputs', () => {
    const nb = {
      cells: [
        { outputs: [view('a'), { data: { 'text/plain': 'x' } }] },
        { outputs: [view('b')] },
        {},
      ],
    };
    expect([...referencedModelIds(nb)].sort()).toEqual(['a', 'b']);
  });

  it('merges the shown Bulkrun models and keeps other widgets as they were', () => {
    const existing = {
      [WIDGET_STATE_MIME]: {
        version_major: 2,
        version_minor: 0,
        state: {
          other: saved('@jupyter-widgets/controls'),
          gone: saved('jupyterlab-bulkrun', 'old'),
        },
      },
    };
    const out = mergeWidgetState(
      existing,
      { a: saved('jupyterlab-bulkrun', 'new'), hidden: saved('jupyterlab-bulkrun') },
      new Set(['a']),
      'jupyterlab-bulkrun'
    );
    expect(Object.keys(out[WIDGET_STATE_MIME].state).sort()).toEqual(['a', 'other']);
    expect(out[WIDGET_STATE_MIME].state.a.state).toEqual({ batch_id: 'new' });
  });

  it('starts the format when the notebook had no widget state', () => {
    const out = mergeWidgetState(
      undefined,
      { a: saved('jupyterlab-bulkrun') },
      new Set(['a']),
      'jupyterlab-bulkrun'
    );
    expect(out[WIDGET_STATE_MIME].version_major).toBe(2);
    expect(Object.keys(out[WIDGET_STATE_MIME].state)).toEqual(['a']);
  });
});

describe('the grid widget draft', () => {
  it('is made from the Python arguments, values as grid text', () => {
    const m = gridMetadata(
      'demo-echo',
      [{ message: 'hi', n: 3, skip: null }],
      { label: 'mine', max_parallel: 2, resources: { memory: '2G' }, fan_in: 'demo-collect' },
      null,
      ''
    );
    expect(m.batchId).toBeNull();
    expect(m.draft.app).toBe('demo-echo');
    expect(m.draft.rows).toEqual([{ message: 'hi', n: '3' }]);
    expect(m.draft.label).toBe('mine');
    expect(m.draft.maxParallel).toBe('2');
    expect(m.draft.resources).toEqual({ memory: '2G' });
    expect(m.draft.fanIn?.app).toBe('demo-collect');
  });

  it('prefers the draft the page saved, with its batch', () => {
    const first = gridMetadata('demo-echo', [{ message: 'a' }], {}, null, '');
    const edited = { ...first.draft, rows: [{ message: 'edited' }] };
    const m = gridMetadata('demo-echo', [{ message: 'a' }], {}, edited, 'batch-1');
    expect(m.draft.rows).toEqual([{ message: 'edited' }]);
    expect(m.batchId).toBe('batch-1');
  });
});

describe('a saved model', () => {
  it('leaves out references to models that are not saved', () => {
    expect(
      withoutModelRefs({
        layout: 'IPY_MODEL_abc',
        kids: ['IPY_MODEL_x'],
        batch_id: 'b1',
        tooltip: null,
      })
    ).toEqual({ batch_id: 'b1', tooltip: null });
  });
});

describe('whether a save has Bulkrun state to keep', () => {
  it('finds saved Bulkrun models and ignores other widgets', () => {
    const state = (m: string) => ({
      [WIDGET_STATE_MIME]: { version_major: 2, version_minor: 0, state: { a: saved(m) } },
    });
    expect(savesModule(state('jupyterlab-bulkrun'), 'jupyterlab-bulkrun')).toBe(true);
    expect(savesModule(state('@jupyter-widgets/controls'), 'jupyterlab-bulkrun')).toBe(false);
    expect(savesModule(undefined, 'jupyterlab-bulkrun')).toBe(false);
  });
});
