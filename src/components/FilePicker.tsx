/**
 * A file picker over the Jupyter file tree, in a JupyterLab dialog. It lists folders
 * through the contents manager of the view context (src/components/context.ts); folders
 * open on double-click or Enter, Backspace goes up, a file is picked with Open, Enter or
 * a double-click. What it lists and the paths it returns: src/model/filetree.ts.
 */
import { Dialog } from '@jupyterlab/apputils';
import type { Contents } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { fileIcon, folderIcon, ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { crumbs, listEntries, parentDir, type Listing, type TreeEntry } from '../model/filetree';

export interface PickFileOptions {
  contents: Contents.IManager;
  trans: TranslationBundle;
  title: string;
  /** The folder shown first (root-relative, '' for the root). */
  dir: string;
  /** A file to select when it is in that folder. */
  select?: string | null;
  /** Which files to list (folders are always listed). */
  accept?: (name: string) => boolean;
  /** Says which files are listed, under the listing. */
  acceptNote?: string;
  /** The label of the button that picks (default "Open"). */
  pickLabel?: string;
}

interface PickerState {
  dir: string;
  selected: TreeEntry | null;
}

function FileList(props: {
  contents: Contents.IManager;
  trans: TranslationBundle;
  dir: string;
  select: string | null;
  accept?: (name: string) => boolean;
  acceptNote?: string;
  onState: (s: PickerState) => void;
  onPick: () => void;
}): JSX.Element {
  const { trans, contents, accept } = props;
  const [dir, setDir] = React.useState(props.dir);
  const [listing, setListing] = React.useState<Listing | null>(null);
  const [error, setError] = React.useState('');
  const [selected, setSelected] = React.useState<string | null>(props.select);
  const list = React.useRef<HTMLUListElement>(null);
  const baseId = React.useId();

  React.useEffect(() => {
    let live = true;
    setListing(null);
    setError('');
    contents
      .get(dir, { content: true })
      .then(model => {
        if (!live) {
          return;
        }
        const items = Array.isArray(model.content) ? (model.content as Contents.IModel[]) : [];
        setListing(listEntries(items, accept));
      })
      .catch((e: Error) => {
        if (live) {
          setError(e.message || String(e));
          setListing({ entries: [], skipped: 0 });
        }
      });
    return () => {
      live = false;
    };
  }, [contents, dir, accept]);

  const entries = listing?.entries ?? [];
  const current = entries.find(e => e.path === selected) ?? null;
  React.useEffect(() => {
    props.onState({ dir, selected: current });
  }, [dir, current]);
  React.useEffect(() => {
    if (current) {
      list.current
        ?.querySelector(`#${CSS.escape(`${baseId}-${entries.indexOf(current)}`)}`)
        ?.scrollIntoView({ block: 'nearest' });
    }
  }, [current, listing]);

  const open = (path: string) => {
    setSelected(null);
    setDir(path);
  };
  const activate = (e: TreeEntry) => {
    if (e.directory) {
      open(e.path);
    } else {
      setSelected(e.path);
      props.onState({ dir, selected: e });
      props.onPick();
    }
  };

  // The dialog answers Enter before the list sees it; on a folder Enter opens the folder.
  React.useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (
        ev.key === 'Enter' &&
        current?.directory &&
        list.current &&
        list.current.contains(document.activeElement)
      ) {
        ev.preventDefault();
        ev.stopPropagation();
        open(current.path);
      }
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [current]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const i = current ? entries.indexOf(current) : -1;
    const go = (j: number) => {
      if (entries.length) {
        setSelected(entries[Math.max(0, Math.min(entries.length - 1, j))].path);
      }
    };
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      go(i + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      go(i < 0 ? entries.length - 1 : i - 1);
    } else if (e.key === 'Home') {
      e.preventDefault();
      go(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      go(entries.length - 1);
    } else if (e.key === 'Backspace' && dir) {
      e.preventDefault();
      const from = dir;
      setDir(parentDir(dir));
      setSelected(from);
    }
  };

  return (
    <div className="jp-Bulkrun-filepicker">
      <nav className="jp-Bulkrun-crumbs" aria-label={trans.__('Folder')}>
        {crumbs(dir).map((c, i, all) => (
          <React.Fragment key={c.path}>
            {i > 1 ? <span className="jp-Bulkrun-muted">/</span> : null}
            <button
              className="jp-Bulkrun-linkbutton"
              aria-current={i === all.length - 1 ? 'location' : undefined}
              title={c.path ? c.path : trans.__('The Jupyter root')}
              onClick={() => open(c.path)}
            >
              {c.name}
            </button>
          </React.Fragment>
        ))}
      </nav>
      <ul
        ref={list}
        className="jp-Bulkrun-filelist"
        role="listbox"
        tabIndex={0}
        aria-label={trans.__('Files in %1', dir || '/')}
        aria-busy={listing === null}
        aria-activedescendant={current ? `${baseId}-${entries.indexOf(current)}` : undefined}
        onKeyDown={onKeyDown}
      >
        {dir ? (
          <li
            className="jp-Bulkrun-fileitem"
            role="option"
            aria-selected={false}
            title={trans.__('Parent folder')}
            onClick={() => open(parentDir(dir))}
          >
            <folderIcon.react tag="span" elementSize="small" />
            <span>..</span>
          </li>
        ) : null}
        {entries.map((e, i) => (
          <li
            key={e.path}
            id={`${baseId}-${i}`}
            role="option"
            aria-selected={e.path === selected}
            className={`jp-Bulkrun-fileitem${e.path === selected ? ' jp-mod-selected' : ''}`}
            title={e.path}
            onClick={() => setSelected(e.path)}
            onDoubleClick={() => activate(e)}
          >
            {e.directory ? (
              <folderIcon.react tag="span" elementSize="small" />
            ) : (
              <fileIcon.react tag="span" elementSize="small" />
            )}
            <span>{e.name}</span>
          </li>
        ))}
        {listing && !entries.length && !error ? (
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
      {error ? (
        <div className="jp-Bulkrun-error" role="alert">
          {trans.__('Could not list %1: %2', dir || '/', error)}
        </div>
      ) : null}
      {listing?.skipped ? (
        <div className="jp-Bulkrun-muted">
          {props.acceptNote
            ? trans._n(
                '%2; %1 other file not shown',
                '%2; %1 other files not shown',
                listing.skipped,
                props.acceptNote
              )
            : trans._n('%1 other file not shown', '%1 other files not shown', listing.skipped)}
        </div>
      ) : props.acceptNote ? (
        <div className="jp-Bulkrun-muted">{props.acceptNote}</div>
      ) : null}
    </div>
  );
}

class FilePickerBody extends ReactWidget implements Dialog.IBodyWidget<PickerState> {
  constructor(
    private readonly options: PickFileOptions,
    private readonly onPick: () => void
  ) {
    super();
    this.state = { dir: options.dir, selected: null };
  }

  getValue(): PickerState {
    return this.state;
  }

  render(): JSX.Element {
    const o = this.options;
    return (
      <FileList
        contents={o.contents}
        trans={o.trans}
        dir={o.dir}
        select={o.select ?? null}
        accept={o.accept}
        acceptNote={o.acceptNote}
        onState={s => (this.state = s)}
        onPick={this.onPick}
      />
    );
  }

  state: PickerState;
}

/**
 * Asks for a file of the Jupyter tree; resolves with its root-relative path, or null
 * when the dialog is cancelled. Open with a folder selected opens that folder.
 */
export async function pickFile(options: PickFileOptions): Promise<string | null> {
  const { trans } = options;
  let start = { dir: options.dir, select: options.select ?? null };
  for (;;) {
    let dialog: Dialog<PickerState> | null = null;
    const body = new FilePickerBody({ ...options, dir: start.dir, select: start.select }, () =>
      dialog?.resolve()
    );
    dialog = new Dialog<PickerState>({
      title: options.title,
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: options.pickLabel ?? trans.__('Open') }),
      ],
      focusNodeSelector: '.jp-Bulkrun-filelist',
    });
    dialog.addClass('jp-Bulkrun-filedialog');
    const result = await dialog.launch();
    if (!result.button.accept || !result.value) {
      return null;
    }
    const { dir, selected } = result.value;
    if (selected && !selected.directory) {
      return selected.path;
    }
    // Nothing picked yet: show the folder selected (or the same one) again.
    start = { dir: selected ? selected.path : dir, select: null };
  }
}
