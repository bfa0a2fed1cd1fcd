/**
 * The file picker's body (src/components/FilePicker.tsx): the folder shown, its entries
 * and the selected one, reported to the dialog through `onState` as they change.
 */
import type { Contents } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { TreeEntry } from '../../model/filetree';
import { Crumbs } from './Crumbs';
import { FileListbox, optionId } from './FileListbox';
import { ListingNote } from './ListingNote';
import { useListing } from './useListing';
import { useListKeys } from './useListKeys';

/** What the dialog returns: the folder shown and the entry selected in it. */
export interface PickerState {
  dir: string;
  selected: TreeEntry | null;
}

export function FileList(props: {
  contents: Contents.IManager;
  trans: TranslationBundle;
  dir: string;
  select: string | null;
  accept?: (name: string) => boolean;
  acceptNote?: string;
  onState: (s: PickerState) => void;
  onPick: () => void;
}): JSX.Element {
  const { trans } = props;
  const [dir, setDir] = React.useState(props.dir);
  const { listing, error } = useListing(props.contents, dir, props.accept);
  const [selected, setSelected] = React.useState<string | null>(props.select);
  const list = React.useRef<HTMLUListElement>(null);
  const baseId = React.useId();

  const entries = listing?.entries ?? [];
  const current = entries.find(e => e.path === selected) ?? null;
  React.useEffect(() => {
    props.onState({ dir, selected: current });
  }, [dir, current]);
  React.useEffect(() => {
    if (current) {
      list.current
        ?.querySelector(`#${CSS.escape(optionId(baseId, entries.indexOf(current)))}`)
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
  const onKeyDown = useListKeys({ list, dir, entries, current, setDir, setSelected, open });

  return (
    <div className="jp-Bulkrun-filepicker">
      <Crumbs trans={trans} dir={dir} onOpen={open} />
      <FileListbox
        listRef={list}
        baseId={baseId}
        trans={trans}
        dir={dir}
        listing={listing}
        error={error}
        selected={selected}
        current={current}
        onKeyDown={onKeyDown}
        onOpen={open}
        onSelect={setSelected}
        onActivate={activate}
      />
      <ListingNote
        trans={trans}
        dir={dir}
        listing={listing}
        error={error}
        acceptNote={props.acceptNote}
      />
    </div>
  );
}
