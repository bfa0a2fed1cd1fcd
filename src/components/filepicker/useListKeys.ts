/**
 * The file picker list's keys: arrows, Home and End move the selection
 * (src/model/filetree.ts), Backspace goes up to the parent folder with the folder left
 * selected, and Enter on a folder opens it.
 */
import * as React from 'react';
import { listKeyTarget, parentDir, type TreeEntry } from '../../model/filetree';

export function useListKeys(o: {
  list: React.RefObject<HTMLElement>;
  dir: string;
  entries: TreeEntry[];
  current: TreeEntry | null;
  setDir: (dir: string) => void;
  setSelected: (path: string | null) => void;
  open: (path: string) => void;
}): (e: React.KeyboardEvent) => void {
  const { current, entries, dir } = o;

  // The dialog answers Enter before the list sees it; on a folder Enter opens the folder.
  React.useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (
        ev.key === 'Enter' &&
        current?.directory &&
        o.list.current &&
        o.list.current.contains(document.activeElement)
      ) {
        ev.preventDefault();
        ev.stopPropagation();
        o.open(current.path);
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [current]);

  return (e: React.KeyboardEvent) => {
    const j = listKeyTarget(e.key, current ? entries.indexOf(current) : -1, entries.length);
    if (j !== null) {
      e.preventDefault();
      if (entries.length) {
        o.setSelected(entries[j].path);
      }
    } else if (e.key === 'Backspace' && dir) {
      e.preventDefault();
      o.setDir(parentDir(dir));
      o.setSelected(dir);
    }
  };
}
