import { appendRow, cellEditKey, deleteRow, duplicateRow, withCell } from '../model/gridrows';

describe('grid row edits', () => {
  const rows = [{ a: '1' }, { a: '2', b: 'x' }];

  it('sets one cell, leaving the other rows and the input alone', () => {
    const next = withCell(rows, 1, 'a', '3');
    expect(next).toEqual([{ a: '1' }, { a: '3', b: 'x' }]);
    expect(next[0]).toBe(rows[0]);
    expect(rows[1]).toEqual({ a: '2', b: 'x' });
    expect(withCell([{}], 0, 'b', '')).toEqual([{ b: '' }]);
  });

  it('keys typing in one cell by row, column and focus session', () => {
    expect(cellEditKey(2, 'a', 5)).toBe('cell:2:a:5');
    expect(cellEditKey(2, 'a', 6)).not.toBe(cellEditKey(2, 'a', 5));
  });

  it('adds, duplicates and deletes rows, never leaving the grid empty', () => {
    expect(appendRow(rows)).toEqual([...rows, {}]);
    const dup = duplicateRow(rows, 0);
    expect(dup).toEqual([{ a: '1' }, { a: '1' }, { a: '2', b: 'x' }]);
    expect(dup[1]).not.toBe(rows[0]);
    expect(deleteRow(rows, 0)).toEqual([{ a: '2', b: 'x' }]);
    expect(deleteRow([{ a: '1' }], 0)).toEqual([{}]);
    expect(rows).toHaveLength(2);
  });
});
