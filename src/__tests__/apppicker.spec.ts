import { appLabel, searchFromInput, shownText, typedCharacter } from '../model/apppicker';

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey', boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('app picker box', () => {
  const chosen = appLabel({ id: 'demo-echo', title: 'Echo' });

  it('labels the chosen app as "Title (id)"', () => {
    expect(chosen).toBe('Echo (demo-echo)');
  });

  it('shows the chosen app until the user types, then the search', () => {
    expect(shownText({ typing: false, query: '', chosen })).toBe(chosen);
    expect(shownText({ typing: true, query: 'me', chosen })).toBe('me');
    expect(shownText({ typing: false, query: 'me', chosen: null })).toBe('me');
  });

  it('a first key typed over the chosen app is the new search', () => {
    expect(typedCharacter(key('d'))).toBe('d');
    expect(typedCharacter(key('D'))).toBe('D');
    expect(typedCharacter(key(' '))).toBe(' ');
    expect(typedCharacter(key('é'))).toBe('é');
    expect(typedCharacter(key('Enter'))).toBeNull();
    expect(typedCharacter(key('ArrowDown'))).toBeNull();
    expect(typedCharacter(key('Dead'))).toBeNull();
    expect(typedCharacter(key('a', { ctrlKey: true }))).toBeNull();
    expect(typedCharacter(key('v', { metaKey: true }))).toBeNull();
  });

  it('text added after the shown label is the search, not label and text', () => {
    expect(searchFromInput(chosen + 'merge', { typing: false, chosen })).toBe('merge');
    expect(searchFromInput('merge', { typing: false, chosen })).toBe('merge');
    expect(searchFromInput('Echo (demo-echo)x', { typing: true, chosen })).toBe(
      'Echo (demo-echo)x'
    );
    expect(searchFromInput('demo', { typing: false, chosen: null })).toBe('demo');
  });
});
