/**
 * Undo/redo of the parameter grid's rows (src/cell/ConfigureTab.tsx): a bounded stack of
 * row snapshots. Each change records the value it replaced; changes that share a merge
 * key (keystrokes in one cell during one edit) make a single step.
 */

export const HISTORY_LIMIT = 100;

export interface History<T> {
  /** Older values, oldest first; the last one is what undo brings back. */
  readonly past: readonly T[];
  /** Values undone, the next redo last. */
  readonly future: readonly T[];
  /** Merge key of the latest recorded change; null when the next change starts a step. */
  readonly lastKey: string | null;
}

export function emptyHistory<T>(): History<T> {
  return { past: [], future: [], lastKey: null };
}

/**
 * Records a change away from `previous`. With the same non-null `key` as the change
 * before it, the step already on the stack covers this one too. Any change drops the
 * redo stack; the oldest steps go beyond `limit`.
 */
export function record<T>(
  h: History<T>,
  previous: T,
  key: string | null = null,
  limit = HISTORY_LIMIT
): History<T> {
  if (key !== null && key === h.lastKey && h.past.length) {
    return h.future.length ? { ...h, future: [] } : h;
  }
  const past = [...h.past, previous];
  return {
    past: past.length > limit ? past.slice(past.length - limit) : past,
    future: [],
    lastKey: key,
  };
}

/** The value before the latest step and the history after undoing it; null when none. */
export function undo<T>(h: History<T>, current: T): { history: History<T>; value: T } | null {
  if (!h.past.length) {
    return null;
  }
  return {
    value: h.past[h.past.length - 1],
    history: { past: h.past.slice(0, -1), future: [...h.future, current], lastKey: null },
  };
}

/** The value the latest undo replaced and the history after redoing it; null when none. */
export function redo<T>(h: History<T>, current: T): { history: History<T>; value: T } | null {
  if (!h.future.length) {
    return null;
  }
  return {
    value: h.future[h.future.length - 1],
    history: { past: [...h.past, current], future: h.future.slice(0, -1), lastKey: null },
  };
}

/** Ends merging: the next change is a step of its own even with the same key. */
export function seal<T>(h: History<T>): History<T> {
  return h.lastKey === null ? h : { ...h, lastKey: null };
}

export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * The history action of a key press: Ctrl+Z or Cmd+Z undoes; Ctrl+Shift+Z, Cmd+Shift+Z
 * and Ctrl+Y (Cmd+Y) redo. Layouts whose Z key types another letter match by key code.
 */
export function historyAction(e: KeyLike): 'undo' | 'redo' | null {
  if (e.altKey || !(e.ctrlKey || e.metaKey)) {
    return null;
  }
  const k = e.key.length === 1 && /[a-z]/i.test(e.key) ? e.key.toLowerCase() : '';
  const letter = k || (e.code === 'KeyZ' ? 'z' : e.code === 'KeyY' ? 'y' : '');
  if (letter === 'z') {
    return e.shiftKey ? 'redo' : 'undo';
  }
  if (letter === 'y' && !e.shiftKey) {
    return 'redo';
  }
  return null;
}
