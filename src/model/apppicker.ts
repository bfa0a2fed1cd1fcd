/**
 * The app picker's text box (src/cell/ConfigureTab.tsx): it shows the chosen app as
 * "Title (id)" until the user types, and typing then starts a new search instead of
 * adding to that text.
 */
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
