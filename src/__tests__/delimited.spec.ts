import {
  detectDelimiter,
  paramTitles,
  parseDelimited,
  tableToRows,
  toCSV,
} from '../model/delimited';

describe('parseDelimited', () => {
  it('parses a spreadsheet block (TSV, CRLF, trailing newline)', () => {
    expect(parseDelimited('a\tb\r\nc\td\r\n', '\t')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('handles quoted CSV fields with commas, quotes and newlines', () => {
    const t = parseDelimited('name,note\n"x, y","he said ""hi"""\n"multi\nline",z\n', ',');
    expect(t).toEqual([
      ['name', 'note'],
      ['x, y', 'he said "hi"'],
      ['multi\nline', 'z'],
    ]);
  });

  it('keeps empty fields and drops blank lines', () => {
    expect(parseDelimited('a,,c\n\n,,\n1,2,3', ',')).toEqual([
      ['a', '', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('detects tab vs comma', () => {
    expect(detectDelimiter('a\tb\nc\td')).toBe('\t');
    expect(detectDelimiter('a,b\nc,d')).toBe(',');
    expect(detectDelimiter('single')).toBe(',');
  });
});

describe('tableToRows', () => {
  const cols = ['sample', 'reads', 'threshold'];

  it('uses a header row that names parameters, in any order and case', () => {
    const r = tableToRows(
      [
        ['Threshold', 'sample', 'extra'],
        ['0.5', 's1', 'x'],
        ['0.7', 's2', 'y'],
      ],
      cols
    );
    expect(r.header).toBe(true);
    expect(r.unknownColumns).toEqual(['extra']);
    expect(r.rows).toEqual([
      { threshold: '0.5', sample: 's1' },
      { threshold: '0.7', sample: 's2' },
    ]);
  });

  it('recognises a header that uses parameter titles, trimmed and in any case', () => {
    const titles = { sample: 'Sample name', threshold: 'Delay (seconds)' };
    const r = tableToRows(
      [
        ['  delay (SECONDS) ', 'Sample Name', 'reads'],
        ['5', 's1', 'a.fq'],
      ],
      cols,
      titles
    );
    expect(r.header).toBe(true);
    expect(r.unknownColumns).toEqual([]);
    expect(r.rows).toEqual([{ threshold: '5', sample: 's1', reads: 'a.fq' }]);
  });

  it('takes titles from the schema and prefers a parameter name over a title', () => {
    const titles = paramTitles({
      type: 'object',
      properties: {
        sample: { type: 'string', title: 'reads' },
        reads: { type: 'string' },
        threshold: { type: 'number', title: ' ' },
      },
    });
    expect(titles).toEqual({ sample: 'reads' });
    const r = tableToRows([['reads'], ['x']], cols, titles);
    expect(r.rows).toEqual([{ reads: 'x' }]);
    expect(paramTitles(null)).toEqual({});
  });

  it('maps columns positionally without a header', () => {
    const r = tableToRows([['s1', 'a.fq', ' 3 ']], cols);
    expect(r.header).toBe(false);
    expect(r.rows).toEqual([{ sample: 's1', reads: 'a.fq', threshold: '3' }]);
  });
});

describe('toCSV', () => {
  it('round-trips through parseDelimited', () => {
    const rows = [{ a: 'x,y', b: 'say "hi"' }, { a: '', b: 'line\nbreak' }, { a: 3 }];
    const csv = toCSV(rows, ['a', 'b']);
    expect(parseDelimited(csv, ',')).toEqual([
      ['a', 'b'],
      ['x,y', 'say "hi"'],
      ['', 'line\nbreak'],
      ['3', ''],
    ]);
  });
});
