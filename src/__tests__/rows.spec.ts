import { canClearRows, fillRows, hasValues, restoreRows, rowHasValues } from '../model/rows';

describe('grid rows', () => {
  const a = { sample: 's1', reads: 'a.fq' };
  const b = { sample: 's2' };
  const f1 = { reads: 'x_R1.fq' };
  const f2 = { reads: 'y_R1.fq' };

  it('tells a grid with values from a fresh one', () => {
    expect(hasValues([{}])).toBe(false);
    expect(hasValues([{ sample: '' }, {}])).toBe(false);
    expect(hasValues([{}, b])).toBe(true);
    expect(rowHasValues(undefined)).toBe(false);
  });

  it('offers "Clear rows" unless the grid is one empty row', () => {
    expect(canClearRows([{}])).toBe(false);
    expect(canClearRows([{ sample: '' }])).toBe(false);
    expect(canClearRows([])).toBe(false);
    expect(canClearRows([{}, {}])).toBe(true);
    expect(canClearRows([b])).toBe(true);
  });

  it('fills from files by adding after the rows with values, or replacing them', () => {
    expect(fillRows([a, {}, b], [f1, f2], 'add')).toEqual([a, b, f1, f2]);
    expect(fillRows([a, {}, b], [f1, f2], 'replace')).toEqual([f1, f2]);
    expect(fillRows([{}], [f1], 'add')).toEqual([f1]);
    expect(fillRows([a], [], 'replace')).toEqual([{}]);
  });

  it('undoes "Clear rows", keeping rows typed since', () => {
    expect(restoreRows([{}], [a, b])).toEqual([a, b]);
    expect(restoreRows([{ sample: 'new' }, {}], [a])).toEqual([a, { sample: 'new' }]);
    expect(restoreRows([{}], [])).toEqual([{}]);
  });
});
