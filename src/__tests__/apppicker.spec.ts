import type { TranslationBundle } from '@jupyterlab/translation';
import { BulkrunClient } from '../api/client';
import { requestAPI } from '../api/request';
import {
  appLabel,
  appProblemsSummary,
  searchFromInput,
  shownText,
  typedCharacter,
} from '../model/apppicker';

jest.mock('../api/request', () => ({ requestAPI: jest.fn() }));

// The identity bundle JupyterLab uses without a language pack (%1… substitution).
const fill = (s: string, args: unknown[]) =>
  s.replace(/%(\d+)/g, (_, i) => String(args[Number(i) - 1]));
const trans = {
  __: (s: string, ...a: unknown[]) => fill(s, a),
  _n: (one: string, many: string, n: number, ...a: unknown[]) =>
    fill(n === 1 ? one : many, [n, ...a]),
} as unknown as TranslationBundle;

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
