/**
 * A fanned-out row's sub-batch progress inside its Status cell: a tiny stacked bar and
 * "7/10" (src/model/subbatch.ts). Plain spans, so 10,000 rows cost nothing extra.
 */
import * as React from 'react';
import type { JobRecord } from '../../api/types';
import { useView } from '../../components/context';
import { childProgressText, childrenOf, childSegments, childTitle } from '../../model/subbatch';

export function SubProgress(props: { job: JobRecord }): JSX.Element | null {
  const { trans } = useView();
  const c = childrenOf(props.job);
  if (!c) {
    return null;
  }
  return (
    <span className="jp-Bulkrun-subprogress" title={childTitle(c, trans)}>
      <span className="jp-Bulkrun-subprogress-bar" aria-hidden="true">
        {childSegments(c).map(s => (
          <span
            key={s.status}
            className={`jp-Bulkrun-progress-seg jp-Bulkrun-status-${s.status}`}
            style={{ width: `${s.pct}%` }}
          />
        ))}
      </span>
      <span className="jp-Bulkrun-subprogress-text">{childProgressText(c)}</span>
    </span>
  );
}
