import { BulkrunClient } from '../api/client';
import { requestAPI } from '../api/request';
import {
  activeSearch,
  appLabel,
  appMatches,
  appProblemsSummary,
  matchScore,
  searchFromInput,
  shownText,
  typedCharacter,
} from '../model/apppicker';
import { trans } from './trans';

jest.mock('../api/request', () => ({ requestAPI: jest.fn() }));

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

describe('app picker list', () => {
  const app = (id: string, title: string, description = '') => ({ id, title, description });
  const echo = app('demo-echo', 'Echo', 'Writes a message');
  const merge = app('demo-merge', 'Merge outputs', 'Joins the echo files');
  const align = app('align', 'Aligner', 'Aligns reads');
  const apps = [align, echo, merge];

  it('filters by the search only while the user types, or when no app is chosen', () => {
    const chosen = appLabel(echo);
    expect(activeSearch({ typing: false, query: 'me', chosen })).toBe('');
    expect(activeSearch({ typing: true, query: 'me', chosen })).toBe('me');
    expect(activeSearch({ typing: false, query: 'me', chosen: null })).toBe('me');
  });

  it('ranks id and title matches before description matches, and hides the rest', () => {
    expect(matchScore(echo, '')).toBe(1);
    expect(matchScore(echo, 'demo-echo')).toBe(4);
    expect(matchScore(echo, 'demo')).toBe(4);
    expect(matchScore(merge, 'merge')).toBe(4);
    expect(matchScore(echo, 'cho')).toBe(3);
    expect(matchScore(merge, 'outputs')).toBe(3);
    expect(matchScore(merge, 'joins')).toBe(1);
    expect(matchScore(align, 'zzz')).toBe(0);
  });

  it('lists every app in app order without a search', () => {
    expect(appMatches(apps, '')).toEqual(apps);
    expect(appMatches(apps, '   ')).toEqual(apps);
    expect(appMatches([], 'x')).toEqual([]);
  });

  it('puts better matches first, keeping app order among equals, case-insensitively', () => {
    // "echo": merge matches by description only, echo by id.
    expect(appMatches(apps, ' ECHO ')).toEqual([echo, merge]);
    expect(appMatches(apps, 'demo')).toEqual([echo, merge]);
    expect(appMatches(apps, 'a')).toEqual([align, echo]);
    // Echo by its title's start; Aligner and Merge by words within, in app order.
    expect(appMatches(apps, 'e')).toEqual([echo, align, merge]);
    expect(appMatches(apps, 'reads')).toEqual([align]);
    expect(appMatches(apps, 'nothing')).toEqual([]);
  });
});

describe('app files the server could not load', () => {
  const problem = (file: string) => ({ file, problems: ['missing required field "command"'] });

  it('the line under the picker counts the files, and is empty when all loaded', () => {
    expect(appProblemsSummary([problem('/apps/a.yaml'), problem('/apps/b.json')], trans)).toBe(
      '2 app files could not be loaded'
    );
    expect(appProblemsSummary([problem('/apps/a.yaml')], trans)).toBe(
      '1 app file could not be loaded'
    );
    expect(appProblemsSummary([], trans)).toBe('');
    expect(appProblemsSummary(null, trans)).toBe('');
  });

  it('the client reads {apps, problems}, and older answers as having no problems', async () => {
    const answer = requestAPI as jest.Mock;
    const client = new BulkrunClient({} as any);
    const app = { id: 'a', version: '1', title: 'A', description: 'A' };
    answer.mockResolvedValueOnce({ apps: [app], problems: [problem('/apps/b.json')] });
    expect(await client.appList()).toEqual({ apps: [app], problems: [problem('/apps/b.json')] });
    expect(answer).toHaveBeenLastCalledWith({}, 'apps', undefined);
    answer.mockResolvedValueOnce({ apps: [app] });
    expect(await client.appList()).toEqual({ apps: [app], problems: [] });
    answer.mockResolvedValueOnce([app]);
    expect(await client.appList()).toEqual({ apps: [app], problems: [] });
    answer.mockResolvedValueOnce({ apps: [app], problems: [problem('/x')] });
    expect(await client.apps()).toEqual([app]);
  });
});
