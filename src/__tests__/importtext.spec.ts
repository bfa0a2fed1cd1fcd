import { paramTitles } from '../model/delimited';
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  delimiterFor,
  ImportError,
  importDelimited,
  importNote,
  textOfModel,
} from '../model/importtext';

const schema = {
  type: 'object',
  properties: {
    message: { type: 'string', title: 'Message' },
    repeat: { type: 'integer' },
  },
};
const columns = ['message', 'repeat'];

describe('importing a delimited file', () => {
  it('reads the text of a contents model, without a byte order mark', () => {
    expect(textOfModel({ type: 'file', format: 'text', content: '\ufeffa,b\n' })).toBe('a,b\n');
    expect(textOfModel({ type: 'file', format: 'text', content: 'x' })).toBe('x');
    expect(() => textOfModel({ type: 'file', format: 'base64', content: 'AAAA' })).toThrow(
      ImportError
    );
    expect(() => textOfModel({ type: 'directory', content: [] })).toThrow(ImportError);
    expect(() => textOfModel({ type: 'file', format: 'text', content: null })).toThrow(ImportError);
  });

  it('splits a .tsv at tabs; other files as a paste is split', () => {
    expect(delimiterFor('rows.tsv', 'a,b\tc')).toBe('\t');
    expect(delimiterFor('ROWS.TSV', 'a,b')).toBe('\t');
    expect(delimiterFor('rows.csv', 'a,b')).toBe(',');
    expect(delimiterFor('rows.csv', 'a\tb')).toBe('\t');
    expect(delimiterFor('rows.txt', 'a\tb')).toBe('\t');
  });

  it('maps a header by name or title, as Import CSV does', () => {
    const p = importDelimited(
      'data/rows.csv',
      '\ufeffMessage,repeat,extra\nhello,2,x\n"a, b",1,y\n',
      columns,
      paramTitles(schema)
    );
    expect(p.header).toBe(true);
    expect(p.rows).toEqual([
      { message: 'hello', repeat: '2' },
      { message: 'a, b', repeat: '1' },
    ]);
    expect(p.unknownColumns).toEqual(['extra']);
  });

  it('keeps commas in a .tsv value and maps columns in order without a header', () => {
    const p = importDelimited('rows.tsv', 'one, two\t3\nfour\t5\n', columns);
    expect(p.header).toBe(false);
    expect(p.rows).toEqual([
      { message: 'one, two', repeat: '3' },
      { message: 'four', repeat: '5' },
    ]);
    expect(importDelimited('empty.csv', '\n\n', columns).rows).toEqual([]);
  });

  it('tells which header names were ignored, and nothing when all matched', () => {
    const trans = {
      __: (t: string, ...a: unknown[]) => t.replace(/%(\d+)/g, (_, i) => String(a[Number(i) - 1])),
    } as unknown as TranslationBundle;
    const p = importDelimited(
      'rows.csv',
      'message,repeat,extra,other\nhi,1,2,3\nho,3,4,5\n',
      columns
    );
    expect(importNote('rows.csv', p, trans)).toBe(
      'Imported 2 rows from rows.csv; ignored columns: extra, other'
    );
    expect(
      importNote('rows.csv', importDelimited('rows.csv', 'message\nhi\n', columns), trans)
    ).toBe('');
  });
});
