import { pathSegments, workDirTarget } from '../model/workdir';

describe('workDirTarget', () => {
  it('gives the path relative to the Jupyter root for a work dir under it', () => {
    expect(workDirTarget('/home/ada/runs/work/j1', '/home/ada')).toEqual({
      kind: 'browser',
      path: 'runs/work/j1',
      absolute: '/home/ada/runs/work/j1',
    });
  });

  it('accepts trailing slashes, dot segments and the root itself', () => {
    expect(workDirTarget('/home/ada/./runs//j1/', '/home/ada/')).toMatchObject({
      kind: 'browser',
      path: 'runs/j1',
    });
    expect(workDirTarget('/home/ada', '/home/ada')).toMatchObject({ kind: 'browser', path: '' });
    expect(workDirTarget('/srv/x', '/')).toMatchObject({ kind: 'browser', path: 'srv/x' });
  });

  it('does not take a sibling with the same prefix for a folder under the root', () => {
    expect(workDirTarget('/home/ada2/work/j1', '/home/ada')).toEqual({
      kind: 'absolute',
      absolute: '/home/ada2/work/j1',
      reason: 'outside',
    });
  });

  it('shows the absolute path outside the root, also after resolving ..', () => {
    expect(workDirTarget('/scratch/bulkrun/work/j1', '/home/ada')).toMatchObject({
      kind: 'absolute',
      reason: 'outside',
    });
    expect(workDirTarget('/home/ada/../bob/j1', '/home/ada')).toEqual({
      kind: 'absolute',
      absolute: '/home/bob/j1',
      reason: 'outside',
    });
    expect(workDirTarget('/home', '/home/ada')).toMatchObject({ reason: 'outside' });
  });

  it('shows work dirs in hidden folders as paths unless the server lists hidden files', () => {
    const dir = '/home/ada/.local/share/jupyter/bulkrun/work/j1';
    expect(workDirTarget(dir, '/home/ada')).toEqual({
      kind: 'absolute',
      absolute: dir,
      reason: 'hidden',
    });
    expect(workDirTarget(dir, '/home/ada', { allowHidden: true })).toMatchObject({
      kind: 'browser',
      path: '.local/share/jupyter/bulkrun/work/j1',
    });
    // A hidden folder above the root does not matter.
    expect(workDirTarget('/home/.ada/w', '/home/.ada')).toMatchObject({
      kind: 'browser',
      path: 'w',
    });
  });

  it('has no browser path without an absolute root or an absolute work dir', () => {
    expect(workDirTarget('/home/ada/w', undefined)).toMatchObject({ reason: 'no-root' });
    expect(workDirTarget('/home/ada/w', '~')).toMatchObject({ reason: 'no-root' });
    expect(workDirTarget('work/j1', '/home/ada')).toEqual({
      kind: 'absolute',
      absolute: 'work/j1',
      reason: 'no-root',
    });
    expect(workDirTarget('', '/home/ada')).toBeNull();
  });
});

describe('pathSegments', () => {
  it('resolves . and .. and refuses relative paths', () => {
    expect(pathSegments('/a/./b/../c/')).toEqual(['a', 'c']);
    expect(pathSegments('/../a')).toEqual(['a']);
    expect(pathSegments('a/b')).toBeNull();
  });
});
