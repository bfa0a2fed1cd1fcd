/** "Fill from files": one row per matching file, or per mate pair (`*_R1` / `*_R2`). */
import * as React from 'react';
import { useView } from '../components/context';
import { pairFiles } from '../model/pairing';
import { globContents } from './files';
import { useNotebookDir } from './origin';

export function FillFromFiles(props: {
  columns: string[];
  onFill: (rows: Record<string, string>[]) => void;
  onClose: () => void;
}): JSX.Element {
  const { trans, contents } = useView();
  const { columns } = props;
  // Globs and the paths they fill are relative to the notebook's folder, as the jobs read
  // them (docs/SEMANTICS.md "Paths").
  const dir = useNotebookDir();
  const [glob, setGlob] = React.useState('**/*_R1*');
  const [paired, setPaired] = React.useState(true);
  const [first, setFirst] = React.useState(columns[0] ?? '');
  const [second, setSecond] = React.useState(columns[1] ?? '');
  const [keyCol, setKeyCol] = React.useState('');
  const [files, setFiles] = React.useState<string[] | null>(null);
  const [busy, setBusy] = React.useState(false);

  const find = async () => {
    if (!contents) {
      return;
    }
    setBusy(true);
    try {
      let pattern = glob.trim();
      // With pairing on, look for both mates even when the glob names only R1.
      if (paired) {
        pattern = pattern.replace(/_R1/g, '_R[12]').replace(/_1\./g, '_[12].');
      }
      const found = await globContents(contents, dir ? `${dir}/${pattern}` : pattern);
      setFiles(dir ? found.map(f => f.slice(dir.length + 1)) : found);
    } finally {
      setBusy(false);
    }
  };

  const pairs = React.useMemo(() => (files && paired ? pairFiles(files) : null), [files, paired]);

  const rows = (): Record<string, string>[] => {
    if (!files) {
      return [];
    }
    if (pairs) {
      return pairs.pairs.map(p => {
        const r: Record<string, string> = {};
        if (first) {
          r[first] = p.first;
        }
        if (second) {
          r[second] = p.second;
        }
        if (keyCol) {
          r[keyCol] = p.key.replace(/^.*\//, '');
        }
        return r;
      });
    }
    return files.map(f => {
      const r: Record<string, string> = first ? { [first]: f } : {};
      if (keyCol) {
        r[keyCol] = f.replace(/^.*\//, '').replace(/\..*$/, '');
      }
      return r;
    });
  };

  const colSelect = (
    value: string,
    set: (v: string) => void,
    label: string,
    allowNone: boolean
  ) => (
    <label className="jp-Bulkrun-field">
      <span>{label}</span>
      <select
        className="jp-Bulkrun-input"
        value={value}
        aria-label={label}
        onChange={e => set(e.target.value)}
      >
        {allowNone ? <option value="">{trans.__('(none)')}</option> : null}
        {columns.map(c => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    </label>
  );

  const n = pairs ? pairs.pairs.length : (files?.length ?? 0);
  return (
    <div className="jp-Bulkrun-fill" role="group" aria-label={trans.__('Fill from files')}>
      <div className="jp-Bulkrun-fieldrow">
        <label className="jp-Bulkrun-field jp-mod-wide">
          <span>{trans.__('Files (glob, relative to the notebook’s folder)')}</span>
          <input
            className="jp-Bulkrun-input"
            value={glob}
            aria-label={trans.__('File pattern')}
            onChange={e => setGlob(e.target.value)}
            onKeyDown={e => e.key === 'Enter' && void find()}
          />
        </label>
        <label className="jp-Bulkrun-check">
          <input type="checkbox" checked={paired} onChange={e => setPaired(e.target.checked)} />
          {trans.__('Pair mates (_R1/_R2, _1/_2)')}
        </label>
        <button
          className="jp-Bulkrun-button"
          onClick={() => void find()}
          disabled={busy || !contents}
        >
          {busy ? trans.__('Searching…') : trans.__('Find files')}
        </button>
      </div>
      <div className="jp-Bulkrun-fieldrow">
        {colSelect(
          first,
          setFirst,
          paired ? trans.__('First mate to') : trans.__('File to'),
          false
        )}
        {paired ? colSelect(second, setSecond, trans.__('Second mate to'), true) : null}
        {colSelect(keyCol, setKeyCol, trans.__('Sample name to'), true)}
      </div>
      {files ? (
        <div className="jp-Bulkrun-muted" role="status">
          {pairs
            ? trans.__('%1 pairs found', pairs.pairs.length) +
              (pairs.unpaired.length
                ? trans.__(', %1 files without a mate', pairs.unpaired.length)
                : '')
            : trans.__('%1 files found', files.length)}
          {files.length ? (
            <div className="jp-Bulkrun-preview">
              {files.slice(0, 6).join('  ·  ')}
              {files.length > 6 ? ' …' : ''}
            </div>
          ) : null}
        </div>
      ) : null}
      <div className="jp-Bulkrun-fieldrow">
        <button
          className="jp-Bulkrun-button jp-mod-accept"
          disabled={!n}
          onClick={() => {
            props.onFill(rows());
            props.onClose();
          }}
        >
          {trans._n('Fill %1 row', 'Fill %1 rows', n)}
        </button>
        <button className="jp-Bulkrun-button" onClick={props.onClose}>
          {trans.__('Close')}
        </button>
      </div>
    </div>
  );
}
