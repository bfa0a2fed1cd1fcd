import { parse as parseLikeCLI } from 'csv-parse/sync';
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

describe('pastes and files from spreadsheets', () => {
  const read = (text: string) => parseDelimited(text, detectDelimiter(text));

  it('reads an Excel TSV paste with a quoted multi-line cell', () => {
    // Excel ends rows with CRLF, puts LF inside a cell and quotes that cell.
    const text = 'sample\tnote\r\ns1\t"first, line\nsecond ""quoted"""\r\ns2\tplain\r\n';
    expect(detectDelimiter(text)).toBe('\t');
    expect(read(text)).toEqual([
      ['sample', 'note'],
      ['s1', 'first, line\nsecond "quoted"'],
      ['s2', 'plain'],
    ]);
  });

  it('reads a Google Sheets paste (LF rows, no final newline, empty cells)', () => {
    const text = 'sample\treads\tthreshold\n"a;b\nc"\tx.fq\t0,5\ns3\t\t';
    expect(read(text)).toEqual([
      ['sample', 'reads', 'threshold'],
      ['a;b\nc', 'x.fq', '0,5'],
      ['s3', '', ''],
    ]);
  });

  it('reads European CSV: `;` between cells, decimal commas in them', () => {
    const text = 'sample;threshold;ratio\r\ns1;1,5;0,25\r\n"s;2";2,0;1\r\n';
    expect(detectDelimiter(text)).toBe(';');
    expect(read(text)).toEqual([
      ['sample', 'threshold', 'ratio'],
      ['s1', '1,5', '0,25'],
      ['s;2', '2,0', '1'],
    ]);
    // Without a header line too: more commas than semicolons, all of them decimal.
    expect(detectDelimiter('1,5;2,5;3,5\n')).toBe(';');
    expect(detectDelimiter('a,b;c,d\n')).toBe(',');
  });

  it('drops a UTF-8 byte order mark', () => {
    expect(read('\ufeffsample,reads\r\ns1,a.fq\r\n')).toEqual([
      ['sample', 'reads'],
      ['s1', 'a.fq'],
    ]);
    expect(read('\ufeff"sample",reads\ns1,a.fq')[0]).toEqual(['sample', 'reads']);
  });

  it('keeps ragged rows, and runs an unclosed quote to the end', () => {
    expect(parseDelimited('a,b\n1\n1,2,3\n', ',')).toEqual([['a', 'b'], ['1'], ['1', '2', '3']]);
    expect(parseDelimited('a,"b\nc\n', ',')).toEqual([['a', 'b\nc\n']]);
  });

  it('reads files as the CLI does (kernel-ext/src/cli/spec.ts)', () => {
    const cli = (text: string, delimiter: string) =>
      parseLikeCLI(text, { delimiter, bom: true, skip_empty_lines: true }) as string[][];
    const files: [string, string][] = [
      ['sample,reads,note\n"s,1",a.fq,"say ""hi"""\ns2,b.fq,"two\nlines"\n', ','],
      ['\ufeffsample,reads\r\ns1,a.fq\r\n\r\ns2, b.fq \r\n', ','],
      ['sample\treads\ns1\t"a\tb.fq"\ns2\t\n', '\t'],
    ];
    for (const [text, delimiter] of files) {
      expect(detectDelimiter(text)).toBe(delimiter);
      expect(parseDelimited(text, delimiter)).toEqual(cli(text, delimiter));
    }
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
