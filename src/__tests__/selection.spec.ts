import {
  clickRow,
  deleteSelected,
  NO_SELECTION,
  pruneSelection,
  selectAll,
  selectionState,
  toggleAll,
  type RowSelection,
} from '../model/selection';

const ids = (s: RowSelection) => [...s.selected].sort((a, b) => a - b);

describe('row selection', () => {
  it('a checkbox adds and removes one row', () => {
    let s = clickRow(NO_SELECTION, 2, { checkbox: true });
    s = clickRow(s, 5, { checkbox: true });
    expect(ids(s)).toEqual([2, 5]);
    s = clickRow(s, 2, { checkbox: true });
    expect(ids(s)).toEqual([5]);
    expect(s.anchor).toBe(2);
  });

  it('shift selects the range from the anchor', () => {
    let s = clickRow(NO_SELECTION, 3, { checkbox: true });
    s = clickRow(s, 6, { checkbox: true, shift: true });
    expect(ids(s)).toEqual([3, 4, 5, 6]);
    // Backwards from the same anchor, added to what is selected.
    s = clickRow(s, 1, { checkbox: true, shift: true });
    expect(ids(s)).toEqual([1, 2, 3, 4, 5, 6]);
    // On a row number, shift alone replaces the selection with the range.
    s = clickRow(s, 4, { shift: true });
    expect(ids(s)).toEqual([3, 4]);
    // Shift without an anchor is a plain click.
    expect(ids(clickRow(NO_SELECTION, 4, { shift: true }))).toEqual([4]);
  });

  it('a plain click on a row number selects that row alone; ctrl toggles', () => {
    let s = clickRow(NO_SELECTION, 1);
    s = clickRow(s, 3, { toggle: true });
    expect(ids(s)).toEqual([1, 3]);
    s = clickRow(s, 2);
    expect(ids(s)).toEqual([2]);
    s = clickRow(s, 2);
    expect(ids(s)).toEqual([]);
  });

  it('select all and the header checkbox state', () => {
    expect(ids(selectAll(3))).toEqual([0, 1, 2]);
    expect(ids(selectAll(0))).toEqual([]);
    expect(selectionState(NO_SELECTION, 3)).toBe('none');
    expect(selectionState(selectAll(3), 3)).toBe('all');
    expect(selectionState(clickRow(NO_SELECTION, 1), 3)).toBe('some');
    expect(selectionState(selectAll(5), 3)).toBe('all');
  });

  it('the header checkbox selects every row, or none when all were', () => {
    expect(ids(toggleAll(NO_SELECTION, 3))).toEqual([0, 1, 2]);
    expect(ids(toggleAll(clickRow(NO_SELECTION, 1), 3))).toEqual([0, 1, 2]);
    expect(toggleAll(selectAll(3), 3)).toBe(NO_SELECTION);
    expect(ids(toggleAll(NO_SELECTION, 0))).toEqual([]);
  });

  it('prunes rows that are gone', () => {
    const s = selectAll(5);
    expect(pruneSelection(s, 5)).toBe(s);
    const p = pruneSelection({ selected: new Set([1, 4]), anchor: 4 }, 3);
    expect(ids(p)).toEqual([1]);
    expect(p.anchor).toBeNull();
  });

  it('deletes the selected rows at once, leaving one empty row at least', () => {
    const rows = [{ a: '0' }, { a: '1' }, { a: '2' }, { a: '3' }];
    const s = { selected: new Set([0, 2]), anchor: null };
    expect(deleteSelected(rows, s)).toEqual([{ a: '1' }, { a: '3' }]);
    expect(deleteSelected(rows, selectAll(4))).toEqual([{}]);
    expect(deleteSelected(rows, NO_SELECTION)).toEqual(rows);
  });
});
