import {
  emptyHistory,
  HISTORY_LIMIT,
  historyAction,
  record,
  redo,
  seal,
  undo,
  type History,
} from '../model/history';

type Rows = Record<string, string>[];

/** Applies a change to `value` and records it, as the Configure tab does. */
function change(
  state: { h: History<Rows>; value: Rows },
  next: Rows,
  key: string | null = null
): void {
  state.h = record(state.h, state.value, key);
  state.value = next;
}

describe('grid history', () => {
  it('undoes and redoes changes in order', () => {
    const s = { h: emptyHistory<Rows>(), value: [{}] as Rows };
    change(s, [{ a: '1' }]);
    change(s, [{ a: '1' }, {}]);
    let u = undo(s.h, s.value)!;
    expect(u.value).toEqual([{ a: '1' }]);
    u = undo(u.history, u.value)!;
    expect(u.value).toEqual([{}]);
    expect(undo(u.history, u.value)).toBeNull();
    let r = redo(u.history, u.value)!;
    expect(r.value).toEqual([{ a: '1' }]);
    r = redo(r.history, r.value)!;
    expect(r.value).toEqual([{ a: '1' }, {}]);
    expect(redo(r.history, r.value)).toBeNull();
  });

  it('merges keystrokes with one key into one step, until another change or a seal', () => {
    const s = { h: emptyHistory<Rows>(), value: [{}] as Rows };
    change(s, [{ a: 'h' }], 'cell:0:a:1');
    change(s, [{ a: 'hi' }], 'cell:0:a:1');
    change(s, [{ a: 'hi!' }], 'cell:0:a:1');
    expect(s.h.past).toHaveLength(1);
    expect(undo(s.h, s.value)!.value).toEqual([{}]);
    // A change without a key (a paste, a row button) is a step of its own.
    change(s, [{ a: 'hi!' }, {}]);
    change(s, [{ a: 'hi!' }, { a: 'x' }], 'cell:1:a:2');
    change(s, [{ a: 'hi!' }, { a: 'xy' }], 'cell:1:a:2');
    expect(s.h.past).toHaveLength(3);
    s.h = seal(s.h);
    change(s, [{ a: 'hi!' }, { a: 'xyz' }], 'cell:1:a:2');
    expect(s.h.past).toHaveLength(4);
  });

  it('does not merge into a step after undo', () => {
    const s = { h: emptyHistory<Rows>(), value: [{}] as Rows };
    change(s, [{ a: 'h' }], 'k');
    const u = undo(s.h, s.value)!;
    const after = { h: u.history, value: u.value };
    change(after, [{ a: 'j' }], 'k');
    expect(after.h.past).toEqual([[{}]]);
    expect(undo(after.h, after.value)!.value).toEqual([{}]);
  });

  it('a new change drops what was undone', () => {
    const s = { h: emptyHistory<Rows>(), value: [{}] as Rows };
    change(s, [{ a: '1' }]);
    const u = undo(s.h, s.value)!;
    expect(u.history.future).toHaveLength(1);
    const h = record(u.history, u.value);
    expect(h.future).toHaveLength(0);
    // Also when the change merges with the step before.
    const merged = record({ past: [[{}]], future: [[{ a: 'z' }]], lastKey: 'k' }, [{}], 'k');
    expect(merged.future).toHaveLength(0);
    expect(merged.past).toHaveLength(1);
  });

  it('keeps at most the limit of steps, dropping the oldest', () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) {
      h = record(h, i);
    }
    expect(h.past).toHaveLength(HISTORY_LIMIT);
    expect(h.past[0]).toBe(20);
    expect(record(emptyHistory<number>(), 1, null, 2).past).toEqual([1]);
    expect(record({ past: [1, 2], future: [], lastKey: null }, 3, null, 2).past).toEqual([2, 3]);
  });

  it('maps undo and redo keys, with Ctrl or Cmd', () => {
    const k = (key: string, mods: Partial<Record<string, boolean | string>> = {}) => ({
      key,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
      altKey: false,
      ...mods,
    });
    expect(historyAction(k('z', { ctrlKey: true }))).toBe('undo');
    expect(historyAction(k('z', { metaKey: true }))).toBe('undo');
    expect(historyAction(k('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(historyAction(k('z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(historyAction(k('y', { ctrlKey: true }))).toBe('redo');
    expect(historyAction(k('y', { metaKey: true }))).toBe('redo');
    expect(historyAction(k('z'))).toBeNull();
    expect(historyAction(k('z', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(historyAction(k('a', { ctrlKey: true }))).toBeNull();
    expect(historyAction(k('Y', { ctrlKey: true, shiftKey: true }))).toBeNull();
    // A layout whose Z key types another character.
    expect(historyAction(k('я', { ctrlKey: true, code: 'KeyZ' }))).toBe('undo');
    expect(historyAction(k('н', { ctrlKey: true, code: 'KeyY' }))).toBe('redo');
  });
});
