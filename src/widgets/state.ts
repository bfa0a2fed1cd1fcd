/**
 * Saving the Bulkrun widgets' state into the notebook (metadata `widgets`, the format
 * every Jupyter widget manager reads when it opens a notebook). JupyterLab's widget
 * manager saves all widget state only when the user turns on its "saveState" setting
 * (off by default); a batch view must come back live when the notebook is reopened either
 * way, so the Bulkrun models that the notebook's outputs show are merged in on each save.
 */
export const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';
export const WIDGET_STATE_MIME = 'application/vnd.jupyter.widget-state+json';

export interface SavedModel {
  model_name: string;
  model_module: string;
  model_module_version: string;
  state: Record<string, unknown>;
}

export interface WidgetState {
  version_major: number;
  version_minor: number;
  state: Record<string, SavedModel>;
}

/**
 * A model's serialized state without its references to other models (a DOM widget's
 * `layout` is "IPY_MODEL_<id>" of a model not saved here): restored without them, the
 * model takes its defaults instead of failing to find them.
 */
export function withoutModelRefs(state: Record<string, unknown>): Record<string, unknown> {
  const isRef = (v: unknown): boolean =>
    (typeof v === 'string' && v.startsWith('IPY_MODEL_')) || (Array.isArray(v) && v.some(isRef));
  return Object.fromEntries(Object.entries(state).filter(([, v]) => !isRef(v)));
}

/** Whether saved `widgets` metadata holds a model of `module`. */
export function savesModule(existing: unknown, module: string): boolean {
  const state = (existing as any)?.[WIDGET_STATE_MIME]?.state ?? {};
  return Object.values(state).some((m: any) => m?.model_module === module);
}

/** Model ids of the widget views in a notebook's outputs (nbformat JSON). */
export function referencedModelIds(notebook: { cells?: any[] }): Set<string> {
  const ids = new Set<string>();
  for (const cell of notebook.cells ?? []) {
    for (const out of cell?.outputs ?? []) {
      const id = out?.data?.[WIDGET_VIEW_MIME]?.model_id;
      if (typeof id === 'string') {
        ids.add(id);
      }
    }
  }
  return ids;
}

/**
 * The notebook's `widgets` metadata with `ours` (Bulkrun models by id) merged in: only
 * models an output shows are kept; Bulkrun entries no output shows any more are dropped;
 * other widgets' entries stay as they were.
 */
export function mergeWidgetState(
  existing: unknown,
  ours: Record<string, SavedModel>,
  referenced: Set<string>,
  module: string
): { [WIDGET_STATE_MIME]: WidgetState } {
  const prev = (existing as any)?.[WIDGET_STATE_MIME] as Partial<WidgetState> | undefined;
  const state: Record<string, SavedModel> = {};
  for (const [id, m] of Object.entries(prev?.state ?? {})) {
    if (m?.model_module !== module || referenced.has(id)) {
      state[id] = m;
    }
  }
  for (const [id, m] of Object.entries(ours)) {
    if (referenced.has(id)) {
      state[id] = m;
    }
  }
  return {
    [WIDGET_STATE_MIME]: {
      version_major: prev?.version_major ?? 2,
      version_minor: prev?.version_minor ?? 0,
      state,
    },
  };
}
