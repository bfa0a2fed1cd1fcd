/** Connection state of the event stream: "Reconnecting…" and a server-down banner. */
import * as React from 'react';
import type { EventClient } from '../api/events';
import { useSignal, useView } from './context';

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
