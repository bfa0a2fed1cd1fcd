import { isBlockPaste, pasteBlock, pasteNotice } from '../model/gridpaste';

const schema = {
  properties: { name: { title: 'Name' }, n: {}, mode: {} },
};
const columns = ['name', 'n', 'mode'];
const trans = { __: (s: string, ...a: unknown[]) => s.replace('%1', String(a[0])) };

describe('paste into the grid', () => {
  it('takes text with tabs or lines as a block, a single value not', () => {
    expect(isBlockPaste('a\tb')).toBe(true);
    expect(isBlockPaste('a\nb')).toBe(true);
    expect(isBlockPaste('a,b')).toBe(false);
    expect(isBlockPaste('')).toBe(false);
  });

  it('fills from the cell pasted into, merging into rows and adding past the end', () => {
    const rows = [{ name: 'a' }, { name: 'b', mode: 'm' }];
    const { rows: next, pasted } = pasteBlock(rows, '1\tfast\n2\tslow\n3', 1, 1, columns, schema);
    expect(next).toEqual([
      { name: 'a' },
      { name: 'b', n: '1', mode: 'fast' },
      { n: '2', mode: 'slow' },
      { n: '3' },
    ]);
    expect(pasted.header).toBe(false);
    expect(rows).toHaveLength(2);
  });

  it('replaces the single empty row of a fresh grid', () => {
    const { rows } = pasteBlock([{ name: '' }], 'x\t1\ny\t2', 0, 0, columns, schema);
    expect(rows).toEqual([
      { name: 'x', n: '1' },
      { name: 'y', n: '2' },
    ]);
    expect(pasteBlock([{}], 'x\t1', 0, 1, columns, schema).rows).toEqual([{ n: 'x', mode: '1' }]);
  });

  it('matches a header row by name or title and says what it ignored', () => {
    const { rows, pasted } = pasteBlock([{}, {}], 'Name,bogus\nx,q\n', 1, 0, columns, schema);
    expect(rows).toEqual([{}, { name: 'x' }]);
    expect(pasted.header).toBe(true);
    expect(pasteNotice(pasted, trans)).toBe(
      'Pasted 1 rows (header row matched); ignored columns: bogus'
    );
    // Only the columns from the one pasted into on count: here the header is data.
    const right = pasteBlock([{}, {}], 'Name\tx\ny\tz', 0, 2, columns, schema);
    expect(right.pasted.header).toBe(false);
    expect(right.rows).toEqual([{ mode: 'Name' }, { mode: 'y' }]);
    expect(pasteNotice({ rows: [{}, {}], header: false, unknownColumns: [] }, trans)).toBe(
      'Pasted 2 rows'
    );
  });
});
