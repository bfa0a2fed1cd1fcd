import type { JobRecord, JSONSchema } from '../api/types';
import {
  cellValue,
  csvField,
  keyParams,
  outputProperties,
  resultColumns,
  resultMatrix,
  resultRows,
  sortResultRows,
  toCSVText,
  toTSV,
  type ResultColumn,
} from '../model/results';

// The schemas of kernel-ext/apps/demo-wordcount.yaml.
const wordcountParams: JSONSchema = {
  type: 'object',
  properties: { input: { type: 'string', format: 'path', title: 'Input file' } },
  required: ['input'],
};
const wordcountOutputs: JSONSchema = {
  type: 'object',
  properties: {
    lines: { type: 'integer' },
    words: { type: 'integer' },
    bytes: { type: 'integer' },
  },
};

function job(p: Partial<JobRecord>): JobRecord {
  return {
    id: 'j',
    status: 'completed',
    params: {},
    output: null,
    workDir: '',
    attempt: 1,
    ...p,
  } as JobRecord;
}

const ids = (cols: ResultColumn[]) => cols.map(c => c.id);
const header = (c: ResultColumn) => c.name ?? c.kind;
const status = (s: string) => (s === 'error' ? 'failed' : s);

describe('resultColumns', () => {
  it('has one column per declared output property, after the key parameters and status', () => {
    const rows = [job({ params: { input: 'a.txt' }, output: { lines: 1, words: 2, bytes: 3 } })];
    const cols = resultColumns(wordcountParams, wordcountOutputs, rows);
    expect(ids(cols)).toEqual([
      'row',
      'param:input',
      'status',
      'out:lines',
      'out:words',
      'out:bytes',
      'workdir',
    ]);
    expect(cols.find(c => c.id === 'out:words')?.numeric).toBe(true);
    expect(cols.find(c => c.id === 'param:input')).toMatchObject({
      title: 'Input file',
      numeric: false,
    });
  });

  it('falls back to one raw output column when the app declares no properties', () => {
    for (const outputs of [undefined, null, { type: 'object' }, { properties: [] }]) {
      const cols = resultColumns(wordcountParams, outputs as JSONSchema, [
        job({ output: { a: 1 } }),
      ]);
      expect(ids(cols)).toEqual(['row', 'param:input', 'status', 'output', 'workdir']);
      expect(cellValue(cols[3], { index: 0, job: job({ output: { a: 1 } }) })).toEqual({ a: 1 });
    }
  });

  it('adds the raw output column when some output is not an object, showing only those', () => {
    const rows = [
      job({ output: { lines: 4 } }),
      job({ output: 'plain text' }),
      job({ output: [1] }),
    ];
    const cols = resultColumns(wordcountParams, wordcountOutputs, rows);
    const raw = cols.find(c => c.id === 'output')!;
    expect(raw.rawOnly).toBe(true);
    const table = resultRows(rows);
    expect(table.map(r => cellValue(raw, r))).toEqual([undefined, 'plain text', [1]]);
    const lines = cols.find(c => c.id === 'out:lines')!;
    expect(table.map(r => cellValue(lines, r))).toEqual([4, undefined, undefined]);
  });

  it('takes the key parameters from the first row when the app schema is unknown', () => {
    const rows = [undefined, job({ params: { a: 1, b: 2, c: 3, d: 4 } })];
    expect(keyParams(null, rows)).toEqual(['a', 'b', 'c']);
    expect(keyParams({ properties: { x: {}, y: {} } }, rows)).toEqual(['x', 'y']);
    expect(keyParams(null, [])).toEqual([]);
  });

  it('reads the declared properties in order', () => {
    expect(outputProperties(wordcountOutputs).map(p => p.name)).toEqual([
      'lines',
      'words',
      'bytes',
    ]);
    expect(outputProperties({ properties: { a: 5 } })).toEqual([{ name: 'a', schema: {} }]);
  });
});

describe('sortResultRows', () => {
  const rows = [
    job({ status: 'completed', params: { input: 'f10.txt' }, output: { words: 10 } }),
    job({ status: 'error', params: { input: 'f2.txt' }, output: null }),
    job({ status: 'completed', params: { input: 'f1.txt' }, output: { words: 9 } }),
    job({ status: 'running', params: { input: 'f3.txt' }, output: null }),
    job({ status: 'completed', params: { input: 'f4.txt' }, output: { words: 100 } }),
  ];
  const cols = resultColumns(wordcountParams, wordcountOutputs, rows);
  const order = (key: string, dir: 'asc' | 'desc') =>
    sortResultRows(resultRows(rows), cols, { key, dir }).map(r => r.index);

  it('sorts output numbers numerically, rows without output last', () => {
    expect(order('out:words', 'asc')).toEqual([2, 0, 4, 1, 3]);
    expect(order('out:words', 'desc')).toEqual([4, 0, 2, 1, 3]);
  });

  it('sorts parameters naturally and statuses by lifecycle, stably', () => {
    expect(order('param:input', 'asc')).toEqual([2, 1, 3, 4, 0]);
    expect(order('status', 'asc')).toEqual([3, 0, 2, 4, 1]);
    expect(order('status', 'desc')).toEqual([1, 0, 2, 4, 3]);
  });

  it('keeps row order unsorted or for an unknown column, and handles missing records', () => {
    expect(sortResultRows(resultRows(rows), cols, null).map(r => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(order('nope', 'desc')).toEqual([0, 1, 2, 3, 4]);
    const gaps = resultRows([undefined, rows[0], undefined]);
    expect(sortResultRows(gaps, cols, { key: 'status', dir: 'asc' }).map(r => r.index)).toEqual([
      1, 0, 2,
    ]);
    expect(sortResultRows(gaps, cols, { key: 'row', dir: 'desc' }).map(r => r.index)).toEqual([
      2, 1, 0,
    ]);
  });
});

describe('Copy (TSV) and Download (CSV)', () => {
  const rows = [
    job({
      params: { input: 'a, "b".txt' },
      output: { lines: 1, words: 2, bytes: 3 },
      workDir: '/w/1',
    }),
    job({
      status: 'error',
      params: { input: 'tab\there\nnewline' },
      output: null,
      workDir: '/w/2',
    }),
  ];
  const cols = resultColumns(wordcountParams, wordcountOutputs, rows);
  const matrix = resultMatrix(cols, resultRows(rows), header, status);

  it('makes a header line and one line of text per row', () => {
    expect(matrix).toEqual([
      ['row', 'input', 'status', 'lines', 'words', 'bytes', 'workdir'],
      ['1', 'a, "b".txt', 'completed', '1', '2', '3', '/w/1'],
      ['2', 'tab\there\nnewline', 'failed', '', '', '', '/w/2'],
    ]);
  });

  it('writes tab-separated lines, keeping tabs and line breaks in values from splitting them', () => {
    expect(toTSV(matrix)).toBe(
      'row\tinput\tstatus\tlines\twords\tbytes\tworkdir\n' +
        '1\ta, "b".txt\tcompleted\t1\t2\t3\t/w/1\n' +
        '2\ttab here newline\tfailed\t\t\t\t/w/2\n'
    );
  });

  it('writes RFC 4180 CSV: quotes around commas, quotes and line breaks, CRLF lines', () => {
    expect(toCSVText(matrix)).toBe(
      'row,input,status,lines,words,bytes,workdir\r\n' +
        '1,"a, ""b"".txt",completed,1,2,3,/w/1\r\n' +
        '2,"tab\there\nnewline",failed,,,,/w/2\r\n'
    );
    expect(csvField(' padded ')).toBe(' padded ');
    expect(csvField('x\ry')).toBe('"x\ry"');
  });

  it('writes objects and arrays as JSON', () => {
    const raw = [job({ output: { nested: [1, 'a'] } })];
    const c = resultColumns(null, null, raw);
    expect(toCSVText(resultMatrix(c, resultRows(raw), header, status)).split('\r\n')[1]).toBe(
      '1,completed,"{""nested"":[1,""a""]}",'
    );
  });
});
