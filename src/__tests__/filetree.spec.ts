import {
  crumbs,
  isDelimitedName,
  joinPath,
  listEntries,
  listKeyTarget,
  parentDir,
  pathForCell,
  pickerStart,
} from '../model/filetree';

describe('file tree listing', () => {
  const items = [
    { name: 'sample10.csv', path: 'p/sample10.csv', type: 'file' },
    { name: 'data', path: 'p/data', type: 'directory' },
    { name: 'sample2.csv', path: 'p/sample2.csv', type: 'file' },
    { name: '.hidden.csv', path: 'p/.hidden.csv', type: 'file' },
    { name: '.git', path: 'p/.git', type: 'directory' },
    { name: 'Notes.TXT', path: 'p/Notes.TXT', type: 'file' },
    { name: 'demo.ipynb', path: 'p/demo.ipynb', type: 'notebook' },
    { name: 'Archive', path: 'p/Archive', type: 'directory' },
  ];

  it('lists folders first, then files by name in numeric order, without hidden ones', () => {
    const l = listEntries(items);
    expect(l.entries.map(e => e.name)).toEqual([
      'Archive',
      'data',
      'demo.ipynb',
      'Notes.TXT',
      'sample2.csv',
      'sample10.csv',
    ]);
    expect(l.entries[0].directory).toBe(true);
    expect(l.skipped).toBe(0);
  });

  it('lists only delimited files for an import, counting the others', () => {
    const l = listEntries(items, isDelimitedName);
    expect(l.entries.map(e => e.name)).toEqual([
      'Archive',
      'data',
      'Notes.TXT',
      'sample2.csv',
      'sample10.csv',
    ]);
    expect(l.skipped).toBe(1);
    expect(isDelimitedName('a.tsv')).toBe(true);
    expect(isDelimitedName('a.CSV')).toBe(true);
    expect(isDelimitedName('a.csv.gz')).toBe(false);
    expect(isDelimitedName('csv')).toBe(false);
  });

  it('joins and splits root-relative paths', () => {
    expect(joinPath('', 'a.csv')).toBe('a.csv');
    expect(joinPath('p/q', './r', 'a.csv')).toBe('p/q/r/a.csv');
    expect(joinPath('/p/', '')).toBe('p');
    expect(parentDir('p/q/a.csv')).toBe('p/q');
    expect(parentDir('a.csv')).toBe('');
    expect(parentDir('')).toBe('');
    expect(crumbs('')).toEqual([{ name: '/', path: '', directory: true }]);
    expect(crumbs('p/q').map(c => [c.name, c.path])).toEqual([
      ['/', ''],
      ['p', 'p'],
      ['q', 'p/q'],
    ]);
  });
});

describe('keys in the file list', () => {
  it('arrows move by one within the list; Home and End go to the ends', () => {
    expect(listKeyTarget('ArrowDown', -1, 3)).toBe(0);
    expect(listKeyTarget('ArrowDown', 1, 3)).toBe(2);
    expect(listKeyTarget('ArrowDown', 2, 3)).toBe(2);
    expect(listKeyTarget('ArrowUp', 2, 3)).toBe(1);
    expect(listKeyTarget('ArrowUp', 0, 3)).toBe(0);
    // Nothing selected yet: up starts from the end.
    expect(listKeyTarget('ArrowUp', -1, 3)).toBe(2);
    expect(listKeyTarget('Home', 2, 3)).toBe(0);
    expect(listKeyTarget('End', 0, 3)).toBe(2);
    expect(listKeyTarget('End', -1, 0)).toBe(0);
    expect(listKeyTarget('Backspace', 1, 3)).toBeNull();
    expect(listKeyTarget('Enter', 1, 3)).toBeNull();
  });
});

describe('path a picked file gets in a cell', () => {
  it("is relative to the notebook's folder for files in it or below", () => {
    expect(pathForCell('project/texts/a.txt', 'project', '/home/ana')).toBe('texts/a.txt');
    expect(pathForCell('project/a.txt', 'project', undefined)).toBe('a.txt');
    expect(pathForCell('texts/a.txt', '', '/home/ana')).toBe('texts/a.txt');
    expect(pathForCell('/texts/a.txt', '', undefined)).toBe('texts/a.txt');
  });

  it('is absolute (the server root joined with the path) for a file elsewhere', () => {
    expect(pathForCell('other/a.txt', 'project', '/home/ana')).toBe('/home/ana/other/a.txt');
    expect(pathForCell('a.txt', 'project/sub', '/home/ana/')).toBe('/home/ana/a.txt');
    // A sibling folder whose name starts with the notebook folder's is outside it.
    expect(pathForCell('project2/a.txt', 'project', '/srv')).toBe('/srv/project2/a.txt');
    expect(pathForCell('other/a.txt', 'project', '/')).toBe('/other/a.txt');
  });

  it('is unknown when the file is elsewhere and the root is not an absolute path', () => {
    expect(pathForCell('other/a.txt', 'project', undefined)).toBeNull();
    expect(pathForCell('other/a.txt', 'project', '~/work')).toBeNull();
  });

  it("opens the picker at the cell's file when it is under the root", () => {
    expect(pickerStart('', 'project', '/home/ana')).toEqual({ dir: 'project', select: null });
    expect(pickerStart('texts/a.txt', 'project', '/home/ana')).toEqual({
      dir: 'project/texts',
      select: 'project/texts/a.txt',
    });
    expect(pickerStart('/home/ana/other/a.txt', 'project', '/home/ana')).toEqual({
      dir: 'other',
      select: 'other/a.txt',
    });
    expect(pickerStart('/etc/passwd', 'project', '/home/ana')).toEqual({
      dir: 'project',
      select: null,
    });
    expect(pickerStart('../a.txt', 'project', '/home/ana')).toEqual({
      dir: 'project',
      select: null,
    });
    expect(pickerStart('/x/a.txt', '', '/')).toEqual({ dir: 'x', select: 'x/a.txt' });
    expect(pickerStart('/x/a.txt', 'p', undefined)).toEqual({ dir: 'p', select: null });
  });
});
