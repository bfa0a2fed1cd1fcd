import type { PathCheckResult } from '../api/types';
import { baseDirFor, displayDir, missingPathErrors, pathColumns, pathValues } from '../model/paths';

const schema = {
  type: 'object',
  properties: {
    input: { type: 'string', format: 'path' },
    mates: { type: 'string', format: 'path' },
    label: { type: 'string' },
  },
};

test('path columns are the format: path parameters', () => {
  expect(pathColumns(schema)).toEqual(['input', 'mates']);
  expect(pathColumns(null)).toEqual([]);
});

test("the base dir is the notebook's folder under the Jupyter root", () => {
  expect(baseDirFor('/home/ana', 'project/demo.ipynb')).toBe('/home/ana/project');
  expect(baseDirFor('/home/ana/', 'demo.ipynb')).toBe('/home/ana');
  expect(baseDirFor('/', 'a/b/c.ipynb')).toBe('/a/b');
  expect(baseDirFor(undefined, 'demo.ipynb')).toBeUndefined();
  expect(baseDirFor('~/work', 'demo.ipynb')).toBeUndefined();
  expect(displayDir('project/demo.ipynb')).toBe('project');
  expect(displayDir('demo.ipynb')).toBe('.');
});

test('values to check: distinct, trimmed, from rows or the shared value', () => {
  const rows = [{ input: 'texts/a.txt ' }, { input: 'texts/a.txt' }, { label: 'x' }];
  expect(pathValues(rows, { mates: 'm.txt' }, ['input', 'mates'])).toEqual([
    'texts/a.txt',
    'm.txt',
  ]);
});

test('a path with nothing there is an error on its cell; shared ones on the shared field', () => {
  const results = new Map<string, PathCheckResult>([
    ['texts/file1.txt', { path: 'texts/file1.txt', resolved: '/n/texts/file1.txt', kind: 'file' }],
    ['texts/file9.txt', { path: 'texts/file9.txt', resolved: '/n/texts/file9.txt', kind: null }],
  ]);
  const rows = [{ input: 'texts/file1.txt' }, { input: 'texts/file9.txt' }, {}];
  expect(missingPathErrors(rows, {}, ['input'], results)).toEqual([
    { row: 1, field: 'input', message: 'texts/file9.txt: no such file' },
  ]);
  expect(missingPathErrors(rows, { input: 'texts/file9.txt' }, ['input'], results)).toEqual([
    { row: 1, field: 'input', message: 'texts/file9.txt: no such file' },
    { row: 2, field: 'input', message: 'texts/file9.txt: no such file' },
    { row: null, field: 'input', message: 'texts/file9.txt: no such file' },
  ]);
  // Not yet checked: no error.
  expect(missingPathErrors([{ input: 'other.txt' }], {}, ['input'], results)).toEqual([]);
});
