/**
 * The file picker's listbox: the parent folder, then the folder's entries; one is
 * selected at a time, and the listbox, which keeps the focus, names it as its active
 * descendant.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { fileIcon, folderIcon } from '@jupyterlab/ui-components';
import * as React from 'react';
import { parentDir, type Listing, type TreeEntry } from '../../model/filetree';

/** The DOM id of the listbox's entry `i`. */
export function optionId(baseId: string, i: number): string {
  return `${baseId}-${i}`;
}

export function FileListbox(props: {
  listRef: React.RefObject<HTMLUListElement>;
  baseId: string;
  trans: TranslationBundle;
  dir: string;
  listing: Listing | null;
  error: string;
  /** The selected path; `current` is its entry when the folder has it. */
  selected: string | null;
  current: TreeEntry | null;
  onKeyDown: (e: React.KeyboardEvent) => void;
  onOpen: (path: string) => void;
  onSelect: (path: string) => void;
  /** Double-click: a folder opens, a file is picked. */
  onActivate: (e: TreeEntry) => void;
}): JSX.Element {
  const { trans, dir, listing, selected, current, baseId } = props;
  const entries = listing?.entries ?? [];
  return (
    <ul
      ref={props.listRef}
      className="jp-Bulkrun-filelist"
      role="listbox"
      tabIndex={0}
      aria-label={trans.__('Files in %1', dir || '/')}
      aria-busy={listing === null}
      aria-activedescendant={current ? optionId(baseId, entries.indexOf(current)) : undefined}
      onKeyDown={props.onKeyDown}
    >
      {dir ? (
        <li
          className="jp-Bulkrun-fileitem"
          role="option"
          aria-selected={false}
          title={trans.__('Parent folder')}
          onClick={() => props.onOpen(parentDir(dir))}
        >
          <folderIcon.react tag="span" elementSize="small" />
          <span>..</span>
        </li>
      ) : null}
      {entries.map((e, i) => (
        <li
          key={e.path}
          id={optionId(baseId, i)}
          role="option"
          aria-selected={e.path === selected}
          className={`jp-Bulkrun-fileitem${e.path === selected ? ' jp-mod-selected' : ''}`}
          title={e.path}
          onClick={() => props.onSelect(e.path)}
          onDoubleClick={() => props.onActivate(e)}
        >
          {e.directory ? (
            <folderIcon.react tag="span" elementSize="small" />
          ) : (
            <fileIcon.react tag="span" elementSize="small" />
          )}
          <span>{e.name}</span>
        </li>
      ))}
      {listing && !entries.length && !props.error ? (
        <li className="jp-Bulkrun-muted jp-Bulkrun-fileitem" role="presentation">
          {trans.__('No files here')}
        </li>
      ) : null}
      {listing === null ? (
        <li className="jp-Bulkrun-muted jp-Bulkrun-fileitem" role="presentation">
          {trans.__('Loading…')}
        </li>
      ) : null}
    </ul>
  );
}
