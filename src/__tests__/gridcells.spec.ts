import {
  cellAddress,
  cellKeyMove,
  cellPlaceholder,
  cellSelector,
  errorKey,
  errorMap,
  rowHasError,
  type CellKey,
} from '../model/gridcells';

const trans = { __: (s: string, ...a: unknown[]) => s.replace('%1', String(a[0])) };
const k = (key: string, mods: Partial<CellKey> = {}): CellKey => ({
  key,
  shiftKey: false,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe('grid cells', () => {
  it('files errors by row and field, the first one of a cell winning', () => {
    expect(errorKey(2, 'a')).toBe('2:a');
    expect(errorKey(null, 'a')).toBe('shared:a');
    const m = errorMap([
      { row: 0, field: 'a', message: 'first' },
      { row: 0, field: 'a', message: 'second' },
      { row: null, field: 'b', message: 'shared' },
    ] as any);
    expect([...m]).toEqual([
      ['0:a', 'first'],
      ['shared:b', 'shared'],
    ]);
    expect(rowHasError(m, 0, ['x', 'a'])).toBe(true);
    expect(rowHasError(m, 1, ['x', 'a'])).toBe(false);
    expect(rowHasError(m, 0, [])).toBe(false);
  });

  it('addresses a cell by row and column index', () => {
    expect(cellAddress(3, 1)).toBe('3:1');
    expect(cellSelector(3, 1)).toBe('[data-cell="3:1"]');
  });

  it('shows the shared value, else the default, in an empty cell', () => {
    expect(cellPlaceholder({ default: 3 }, 'x', trans)).toBe('shared: x');
    expect(cellPlaceholder({ default: 3 }, '', trans)).toBe('default: 3');
    expect(cellPlaceholder({ default: false }, undefined, trans)).toBe('default: false');
    expect(cellPlaceholder({}, undefined, trans)).toBeUndefined();
  });
});

describe('keys in a grid cell', () => {
  it('arrows and Enter move down, up and Shift+Enter move up', () => {
    expect(cellKeyMove(k('ArrowDown'), false, 0, 3, false)).toEqual({ kind: 'focus', row: 1 });
    expect(cellKeyMove(k('Enter'), false, 1, 3, false)).toEqual({ kind: 'focus', row: 2 });
    expect(cellKeyMove(k('ArrowUp'), false, 2, 3, false)).toEqual({ kind: 'focus', row: 1 });
    expect(cellKeyMove(k('Enter', { shiftKey: true }), false, 1, 3, true)).toEqual({
      kind: 'focus',
      row: 0,
    });
  });

  it('stays at the edges; Enter on the last row adds one unless read-only', () => {
    expect(cellKeyMove(k('ArrowUp'), false, 0, 3, false)).toEqual({ kind: 'stay' });
    expect(cellKeyMove(k('ArrowDown'), false, 2, 3, false)).toEqual({ kind: 'stay' });
    expect(cellKeyMove(k('Enter'), false, 2, 3, false)).toEqual({ kind: 'append', row: 3 });
    expect(cellKeyMove(k('Enter'), false, 2, 3, true)).toEqual({ kind: 'stay' });
  });

  it('leaves arrows in a select, modified keys and other keys alone', () => {
    expect(cellKeyMove(k('ArrowDown'), true, 0, 3, false)).toBeNull();
    expect(cellKeyMove(k('ArrowUp'), true, 1, 3, false)).toBeNull();
    expect(cellKeyMove(k('Enter'), true, 0, 3, false)).toEqual({ kind: 'focus', row: 1 });
    expect(cellKeyMove(k('ArrowDown', { ctrlKey: true }), false, 0, 3, false)).toBeNull();
    expect(cellKeyMove(k('Enter', { altKey: true }), false, 0, 3, false)).toBeNull();
    expect(cellKeyMove(k('ArrowUp', { metaKey: true }), false, 1, 3, false)).toBeNull();
    expect(cellKeyMove(k('a'), false, 0, 3, false)).toBeNull();
    expect(cellKeyMove(k('Tab'), false, 0, 3, false)).toBeNull();
  });
});
