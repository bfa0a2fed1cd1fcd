/**
 * The bulk-run cell's UI: Configure / Status / Results / Timeline tabs over the cell's
 * saved draft and, once submitted, the live batch model.
 */
import * as React from 'react';
import { isTerminal, type RowError } from '../api/types';
import { BulkrunError } from '../api/request';
import { ConnectionBanner, StorageBanner } from '../components/banner';
import { useSignal, useView } from '../components/context';
import { ProgressBar, StatusBadge } from '../components/status';
import { useApps, useHealth } from '../components/useServer';
import { checkDraft, newDraft, type CellMetadata, type Draft } from '../model/draft';
import { summaryLine } from '../model/summary';
import { paramNames } from '../model/validate';
import { baseDirFor, displayDir, missingPathErrors, pathColumns, pathValues } from '../model/paths';
import { usePathCheck } from '../components/usePathCheck';
import { PageConfig } from '@jupyterlab/coreutils';
import { OriginContext } from './origin';
import { ConfigureTab } from './ConfigureTab';
import type { BatchModel } from './model';
import { ResultsTab } from './ResultsTab';
import { StatusTab } from './StatusTab';
import { Timeline } from './Timeline';
import { UUID } from '@lumino/coreutils';

type Tab = 'configure' | 'status' | 'results' | 'timeline';

export interface BulkRunViewProps {
  metadata: CellMetadata;
  /** Persists the metadata into the cell (saved with the notebook). */
  save: (m: CellMetadata) => void;
  origin: string;
}

export function BulkRunView(props: BulkRunViewProps): JSX.Element {
  const { bulkrun, trans, commands } = useView();
  const apps = useApps(bulkrun.client);
  const health = useHealth(bulkrun.client);
  const [draft, setDraft] = React.useState<Draft>(props.metadata.draft);
  const [batchId, setBatchId] = React.useState<string | null>(props.metadata.batchId);
  const [tab, setTab] = React.useState<Tab>(props.metadata.batchId ? 'status' : 'configure');
  const [submitting, setSubmitting] = React.useState(false);
  const [serverErrors, setServerErrors] = React.useState<RowError[]>([]);
  const [serverMessage, setServerMessage] = React.useState('');
  const [unlocked, setUnlocked] = React.useState(false);
  const [model, setModel] = React.useState<BatchModel | null>(null);
  const root = React.useRef<HTMLDivElement>(null);
  const saveTimer = React.useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = React.useRef({ draft, batchId });
  latest.current = { draft, batchId };

  // Metadata changed elsewhere (another view of the notebook, undo): adopt it.
  React.useEffect(() => {
    const cur = latest.current;
    if (JSON.stringify(props.metadata.draft) !== JSON.stringify(cur.draft)) {
      setDraft(props.metadata.draft);
    }
    if (props.metadata.batchId !== cur.batchId) {
      setBatchId(props.metadata.batchId);
      if (props.metadata.batchId) {
        setTab('status');
        setUnlocked(false);
      }
    }
  }, [props.metadata]);

  React.useEffect(() => {
    if (!batchId) {
      setModel(null);
      return;
    }
    const m = bulkrun.models.acquire(batchId);
    setModel(m);
    return () => bulkrun.models.release(batchId);
  }, [batchId, bulkrun]);
  useSignal(model?.changed);

  const persist = (d: Draft, b: string | null, now = false) => {
    if (saveTimer.current) {
      clearTimeout(saveTimer.current);
    }
    const write = () => props.save({ version: 1, draft: d, batchId: b });
    if (now) {
      write();
    } else {
      // Large grids: write the metadata once typing pauses, not on every key.
      saveTimer.current = setTimeout(write, 300);
    }
  };
  React.useEffect(
    () => () => {
      if (saveTimer.current) {
        clearTimeout(saveTimer.current);
        props.save({ version: 1, ...latest.current });
      }
    },
    []
  );

  const update = (fn: (d: Draft) => Draft) => {
    setDraft(d => {
      const next = fn(d);
      persist(next, latest.current.batchId);
      return next;
    });
    if (serverErrors.length || serverMessage) {
      setServerErrors([]);
      setServerMessage('');
    }
  };

  const app = apps.data?.find(a => a.id === draft.app) ?? null;
  const fanInApp = apps.data?.find(a => a.id === draft.fanIn?.app) ?? null;
  // Relative paths are read from the notebook's folder (docs/SEMANTICS.md "Paths").
  const baseDir = React.useMemo(
    () => baseDirFor(PageConfig.getOption('serverRoot'), props.origin),
    [props.origin]
  );
  const pathCols = React.useMemo(() => pathColumns(app?.parameters), [app]);
  const pathResults = usePathCheck(
    bulkrun.client,
    React.useMemo(
      () => pathValues(draft.rows, draft.shared, pathCols),
      [draft.rows, draft.shared, pathCols]
    ),
    baseDir
  );
  const pathErrors = React.useMemo(
    () => missingPathErrors(draft.rows, draft.shared, pathCols, pathResults),
    [draft.rows, draft.shared, pathCols, pathResults]
  );
  const drafted = React.useMemo(
    () =>
      checkDraft(
        draft,
        app ? app.parameters : null,
        fanInApp
          ? fanInApp.parameters
          : draft.fanIn?.app
            ? null
            : { type: 'object', properties: {} },
        props.origin,
        health.data?.backends ?? null
      ),
    [draft, app, fanInApp, props.origin, health.data]
  );
  const check = React.useMemo(() => {
    if (pathErrors.length) {
      const first = pathErrors[0];
      const where = first.row === null ? trans.__('shared') : trans.__('row %1', first.row + 1);
      return {
        ...drafted,
        spec: null,
        problems: [
          ...drafted.problems,
          trans.__('%1 path(s) not found; first: %2, %3', pathErrors.length, where, first.message),
        ],
      };
    }
    return drafted.spec && baseDir ? { ...drafted, spec: { ...drafted.spec, baseDir } } : drafted;
  }, [drafted, pathErrors, baseDir, trans]);
  const locked = !!batchId && !unlocked;

  const run = async () => {
    if (!check.spec || submitting) {
      return;
    }
    setSubmitting(true);
    setServerErrors([]);
    setServerMessage('');
    try {
      const res = await bulkrun.client.createBatch(check.spec);
      const id = res.batch.id;
      // A new key for the next run; this one stays bound to the batch just made.
      const next = { ...latest.current.draft, idempotencyKey: UUID.uuid4() };
      setDraft(next);
      setBatchId(id);
      setUnlocked(false);
      persist(next, id, true);
      setTab('status');
      // The status view is shorter than the grid: keep the cell in sight.
      requestAnimationFrame(() => root.current?.scrollIntoView({ block: 'nearest' }));
    } catch (e) {
      if (e instanceof BulkrunError) {
        setServerErrors(e.rowErrors);
        setServerMessage(e.message);
      } else {
        setServerMessage((e as Error).message);
      }
    } finally {
      setSubmitting(false);
    }
  };

  const tabs: { id: Tab; label: string; disabled?: boolean }[] = [
    { id: 'configure', label: trans.__('Configure') },
    { id: 'status', label: trans.__('Status'), disabled: !batchId },
    { id: 'results', label: trans.__('Results'), disabled: !batchId },
    { id: 'timeline', label: trans.__('Timeline'), disabled: !batchId },
  ];
  const tabBase = React.useId();
  const batch = model?.batch ?? null;
  // The header names what ran (the batch's app), not what the draft now says.
  const shownApp = batch
    ? (apps.data?.find(a => a.id === batch.app)?.title ?? batch.app)
    : app?.title;

  return (
    <OriginContext.Provider value={props.origin}>
      <div className="jp-Bulkrun-view" ref={root}>
        <header className="jp-Bulkrun-header">
          <span className="jp-Bulkrun-title">{trans.__('Bulk run')}</span>
          {shownApp ? (
            <span className="jp-Bulkrun-muted jp-Bulkrun-headapp">{shownApp}</span>
          ) : null}
          {batch ? (
            <>
              <StatusBadge status={batch.status} trans={trans} />
              <span className="jp-Bulkrun-muted jp-Bulkrun-headsummary">
                {summaryLine(model!.counts, model!.retriedRows, trans)}
              </span>
              <ProgressBar counts={model!.counts} total={batch.total} trans={trans} compact />
            </>
          ) : null}
          {commands ? (
            <button
              className="jp-Bulkrun-linkbutton jp-Bulkrun-helplink"
              title={trans.__('Bulkrun user guide')}
              aria-label={trans.__('Bulkrun user guide')}
              onClick={() => void commands.execute('bulkrun:help')}
            >
              ?
            </button>
          ) : null}
        </header>
        <ConnectionBanner events={bulkrun.events} />
        <StorageBanner client={bulkrun.client} />
        <div className="jp-Bulkrun-tabs" role="tablist" aria-label={trans.__('Bulk run')}>
          {tabs.map(t => (
            <button
              key={t.id}
              id={`${tabBase}-${t.id}`}
              role="tab"
              aria-selected={tab === t.id}
              aria-controls={`${tabBase}-panel`}
              disabled={t.disabled}
              tabIndex={tab === t.id ? 0 : -1}
              className={`jp-Bulkrun-tabbutton${tab === t.id ? ' jp-mod-active' : ''}`}
              onClick={() => setTab(t.id)}
              onKeyDown={e => {
                if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') {
                  return;
                }
                const enabled = tabs.filter(x => !x.disabled);
                const i = enabled.findIndex(x => x.id === tab);
                const n =
                  enabled[(i + (e.key === 'ArrowRight' ? 1 : enabled.length - 1)) % enabled.length];
                setTab(n.id);
                (
                  e.currentTarget.parentElement?.querySelector(
                    `#${CSS.escape(`${tabBase}-${n.id}`)}`
                  ) as HTMLElement
                )?.focus();
              }}
            >
              {t.label}
            </button>
          ))}
        </div>
        <div
          role="tabpanel"
          id={`${tabBase}-panel`}
          aria-labelledby={`${tabBase}-${tab}`}
          className="jp-Bulkrun-panel"
        >
          {tab === 'configure' && pathCols.length ? (
            <div className="jp-Bulkrun-note jp-Bulkrun-pathnote" role="note">
              {trans.__('Relative paths are read from the notebook’s folder:')}{' '}
              <code title={baseDir}>{displayDir(props.origin)}</code>
            </div>
          ) : null}
          {tab === 'configure' ? (
            <ConfigureTab
              draft={draft}
              update={update}
              apps={apps.data}
              appsError={apps.error}
              health={health.data}
              check={check}
              serverErrors={pathErrors.length ? [...pathErrors, ...serverErrors] : serverErrors}
              serverMessage={serverMessage}
              submitting={submitting}
              locked={locked}
              batchFinished={!!batch && isTerminal(batch.status)}
              onRun={() => void run()}
              onUnlock={() => setUnlocked(true)}
            />
          ) : null}
          {tab === 'status' && model ? (
            <StatusTab model={model} keyParams={paramNames(app?.parameters).slice(0, 3)} />
          ) : null}
          {tab === 'results' && model ? <ResultsTab model={model} /> : null}
          {tab === 'timeline' && model ? <Timeline model={model} /> : null}
        </div>
      </div>
    </OriginContext.Provider>
  );
}

export { newDraft };
