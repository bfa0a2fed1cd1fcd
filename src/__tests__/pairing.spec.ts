import { globBase, globToRegExp, pairFiles } from '../model/pairing';

describe('globToRegExp', () => {
  it('matches *, ?, ** and braces over paths', () => {
    expect(globToRegExp('data/*.fq').test('data/a.fq')).toBe(true);
    expect(globToRegExp('data/*.fq').test('data/sub/a.fq')).toBe(false);
    expect(globToRegExp('data/**/*.fq').test('data/sub/x/a.fq')).toBe(true);
    expect(globToRegExp('data/**/*.fq').test('data/a.fq')).toBe(true);
    expect(globToRegExp('s?.{fq,fastq}').test('s1.fastq')).toBe(true);
    expect(globToRegExp('s[0-2].txt').test('s3.txt')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('finds the fixed directory of a glob', () => {
    expect(globBase('data/run1/*_R1.fq')).toBe('data/run1');
    expect(globBase('*.fq')).toBe('');
    expect(globBase('data/*/x/*.fq')).toBe('data');
  });
});

describe('pairFiles', () => {
  it('pairs R1/R2 mates and reports the rest', () => {
    const r = pairFiles([
      'reads/s2_R2.fq.gz',
      'reads/s1_R1.fq.gz',
      'reads/s1_R2.fq.gz',
      'reads/s2_R1.fq.gz',
      'reads/s3_R1.fq.gz',
      'reads/notes.txt',
    ]);
    expect(r.pairs).toEqual([
      { key: 's1', first: 'reads/s1_R1.fq.gz', second: 'reads/s1_R2.fq.gz' },
      { key: 's2', first: 'reads/s2_R1.fq.gz', second: 'reads/s2_R2.fq.gz' },
    ]);
    expect(r.unpaired).toEqual(['reads/notes.txt', 'reads/s3_R1.fq.gz']);
  });

  it('pairs _1/_2 mates and never across directories', () => {
    const r = pairFiles(['a/x_1.fq', 'b/x_2.fq', 'a/y_1.fq', 'a/y_2.fq']);
    expect(r.pairs).toEqual([{ key: 'y', first: 'a/y_1.fq', second: 'a/y_2.fq' }]);
    expect(r.unpaired).toEqual(['a/x_1.fq', 'b/x_2.fq']);
  });
});
