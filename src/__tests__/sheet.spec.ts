import { bytesOfModel, importSheet, sheetToTable } from '../model/importtext';
import { isImportableName, isSpreadsheetName } from '../model/filetree';

test('spreadsheet cells become grid text; empty rows go', () => {
  expect(
    sheetToTable([
      ['Input file', 'count', 'when', 'ok'],
      ['reads/a.fq', 3, new Date(Date.UTC(2026, 0, 5)), true],
      [null, null, null, null],
      ['reads/b.fq', 2.5, new Date(Date.UTC(2026, 0, 5, 13, 30)), false],
    ])
  ).toEqual([
    ['Input file', 'count', 'when', 'ok'],
    ['reads/a.fq', '3', '2026-01-05', 'true'],
    ['reads/b.fq', '2.5', '2026-01-05T13:30:00.000Z', 'false'],
  ]);
});

test("a workbook's header maps columns by name or title, like a CSV", () => {
  const parsed = importSheet(
    [
      ['Input file', 'n'],
      ['a.txt', 1],
    ],
    ['input', 'n'],
    { input: 'Input file' }
  );
  expect(parsed.rows).toEqual([{ input: 'a.txt', n: '1' }]);
});

test('xlsx files are importable; base64 content becomes bytes', () => {
  expect(isSpreadsheetName('Template.XLSX')).toBe(true);
  expect(isImportableName('rows.tsv')).toBe(true);
  expect(isImportableName('notes.md')).toBe(false);
  const bytes = new Uint8Array(bytesOfModel({ type: 'file', content: btoa('PK\x03\x04') }));
  expect([...bytes]).toEqual([0x50, 0x4b, 3, 4]);
});
