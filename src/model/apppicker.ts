/**
 * The app picker's text box (src/cell/configure/AppPicker.tsx): it shows the chosen app as
 * "Title (id)" until the user types, and typing then starts a new search instead of
 * adding to that text.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { KeyLike } from './history';

/** The character a key press types, or null for keys that type nothing (arrows, shortcuts). */
export function typedCharacter(
  e: Pick<KeyLike, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>
): string | null {
  if (e.ctrlKey || e.metaKey || e.altKey) {
    return null;
  }
  // Named keys ("Enter", "ArrowDown", "Dead", "Process") are longer than one character.
  return [...e.key].length === 1 ? e.key : null;
}

/** What the box shows: the search while the user types in it, else the chosen app. */
export function shownText(state: {
  typing: boolean;
  query: string;
  chosen: string | null;
}): string {
  return state.typing || state.chosen === null ? state.query : state.chosen;
}

/** The search the list filters by: none while the box shows the chosen app. */
export function activeSearch(state: {
  typing: boolean;
  query: string;
  chosen: string | null;
}): string {
  return state.typing || state.chosen === null ? state.query : '';
}

/** What the search is matched against. */
export interface Searchable {
  id: string;
  title: string;
  description: string;
}

/** How well an app matches the search `q` (lower case): 0 hides it. */
export function matchScore(app: Searchable, q: string): number {
  if (!q) {
    return 1;
  }
  const id = app.id.toLowerCase();
  const title = app.title.toLowerCase();
  if (id === q || id.startsWith(q) || title.startsWith(q)) {
    return 4;
  }
  if (id.includes(q) || title.includes(q)) {
    return 3;
  }
  return app.description.toLowerCase().includes(q) ? 1 : 0;
}

/**
 * The apps the list shows for a search: id and title matches before description
 * matches, and app order within each (so without a search, the list is in app order).
 */
export function appMatches<A extends Searchable>(apps: readonly A[], search: string): A[] {
  const q = search.trim().toLowerCase();
  return apps
    .map(a => ({ a, s: matchScore(a, q) }))
    .filter(x => x.s > 0)
    .sort((x, y) => y.s - x.s)
    .map(x => x.a);
}

/** The label the box shows for a chosen app. */
export function appLabel(app: { id: string; title: string }): string {
  return `${app.title} (${app.id})`;
}

/**
 * The search after the box's text changed to `value`. While it showed the chosen app,
 * text added after that label (typed with the caret at its end) is the search, not the
 * label with it.
 */
export function searchFromInput(
  value: string,
  state: { typing: boolean; chosen: string | null }
): string {
  if (!state.typing && state.chosen !== null && value.startsWith(state.chosen)) {
    return value.slice(state.chosen.length);
  }
  return value;
}

/**
 * The line under the picker when the server could not load some app files (the reason an
 * app the user wrote is not in the list), or '' when it loaded them all.
 */
export function appProblemsSummary(
  problems: readonly { file: string }[] | null,
  trans: TranslationBundle
): string {
  const n = problems?.length ?? 0;
  return n
    ? trans._n('%1 app file could not be loaded', '%1 app files could not be loaded', n)
    : '';
}
