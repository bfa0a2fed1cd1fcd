/**
 * Banners above a view: the event stream's state ("Reconnecting…", server down) and the
 * data dir's space (full: writes wait; low: a warning).
 */
import * as React from 'react';
import type { BulkrunClient } from '../api/client';
import type { EventClient } from '../api/events';
import { useSignal, useView } from './context';
import { useHealth } from './useServer';

/** How often a view asks the server about its space (the health answer is shared). */
const STORAGE_POLL_MS = 20000;

export function StorageBanner(props: { client: BulkrunClient }): JSX.Element | null {
  const { trans } = useView();
  const health = useHealth(props.client);
  const { reload } = health;
  React.useEffect(() => {
    const t = setInterval(reload, STORAGE_POLL_MS);
    return () => clearInterval(t);
  }, [reload]);
  const s = health.data?.storage;
  if (!s || s.state === 'ok') return null;
  const free = s.freeBytes === null ? '?' : (s.freeBytes / 1024 / 1024).toFixed(1);
  if (s.state === 'low') {
    return (
      <div className="jp-Bulkrun-banner jp-mod-warn" role="status">
        {trans.__('The Bulkrun data dir %1 is low on space: %2 MB free.', s.dataDir, free)}
      </div>
    );
  }
  return (
    <div className="jp-Bulkrun-banner jp-mod-error" role="alert">
      {trans.__(
        'The Bulkrun data dir %1 is full (%2 MB free). Running jobs go on and are recorded once space is freed there; new runs are refused until then.',
        s.dataDir,
        free
      )}
    </div>
  );
}

export function ConnectionBanner(props: { events: EventClient }): JSX.Element | null {
  const { trans } = useView();
  useSignal(props.events.stateChanged);
  const state = props.events.state;
  if (state === 'connected' || state === 'connecting') {
    return null;
  }
  if (state === 'reconnecting') {
    return (
      <div className="jp-Bulkrun-banner jp-mod-warn" role="status" aria-live="polite">
        <span className="jp-Bulkrun-spinner" aria-hidden="true" />
        {trans.__('Reconnecting…')}
      </div>
    );
  }
  return (
    <div className="jp-Bulkrun-banner jp-mod-error" role="alert">
      <span>
        {trans.__(
          'The Bulkrun server is not reachable. Your jobs keep running on the server; this view updates again when it is back.'
        )}
      </span>
      <button className="jp-Bulkrun-button" onClick={() => props.events.reconnectNow()}>
        {trans.__('Retry now')}
      </button>
    </div>
  );
}
