/**
 * The line under "Resources per task" that says what the app used in its past runs and
 * offers the suggested memory and walltime in one click (logic: src/model/suggest.ts).
 * The history is fetched when the app changes or the draft is unlocked for a new run,
 * not while typing; an older server, an error or no runs show nothing.
 */
import * as React from 'react';
import type { AppDefinition, Resources } from '../../api/types';
import { useView } from '../../components/context';
import { useLoad } from '../../components/useServer';
import {
  askedResources,
  modelParams,
  modelRows,
  suggest,
  suggestionAction,
  usageLine,
} from '../../model/suggest';

export function UsageHint(props: {
  app: AppDefinition;
  /** The grid's rows and shared values (text), for the models that read a parameter. */
  rows: Record<string, string>[];
  shared: Record<string, string>;
  resources: Resources;
  defaults?: Resources;
  disabled: boolean;
  onApply: (patch: Pick<Resources, 'memory' | 'walltime'>) => void;
}): JSX.Element | null {
  const { bulkrun, trans } = useView();
  const { app } = props;
  const load = useLoad(
    () => bulkrun.client.appUsage(app.id),
    // Unlocking after a run is when the history has grown.
    [bulkrun.client, app.id, app.version, props.disabled]
  );
  // The answer of the previous app may still be shown while the new one loads.
  const usage = load.data && load.data.app === app.id ? load.data : null;
  const suggestion = React.useMemo(() => {
    if (!usage) {
      return null;
    }
    const params = modelParams(usage);
    const rows = params.length ? modelRows(props.rows, props.shared, app.parameters, params) : [];
    return suggest(usage, rows, trans);
  }, [usage, props.rows, props.shared, app.parameters]);
  if (!usage) {
    return null;
  }
  const asked = askedResources(props.resources, props.defaults);
  const line = usageLine(usage, asked, suggestion, trans);
  if (!line) {
    return null;
  }
  const action = props.disabled ? null : suggestionAction(suggestion, asked, trans);
  const title = [suggestion?.basis, usage.method].filter(Boolean).join('\n');
  return (
    <div className="jp-Bulkrun-usagehint" aria-live="polite">
      <span className="jp-Bulkrun-muted" title={title || undefined}>
        {line}
      </span>
      {action ? (
        <button
          className="jp-Bulkrun-button"
          title={title || undefined}
          onClick={() => props.onApply(action.resources)}
        >
          {action.label}
        </button>
      ) : null}
    </div>
  );
}
