/** The file picker's breadcrumb: the root and each folder down to the one shown. */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { crumbs } from '../../model/filetree';

export function Crumbs(props: {
  trans: TranslationBundle;
  dir: string;
  onOpen: (path: string) => void;
}): JSX.Element {
  const { trans } = props;
  return (
    <nav className="jp-Bulkrun-crumbs" aria-label={trans.__('Folder')}>
      {crumbs(props.dir).map((c, i, all) => (
        <React.Fragment key={c.path}>
          {i > 1 ? <span className="jp-Bulkrun-muted">/</span> : null}
          <button
            className="jp-Bulkrun-linkbutton"
            aria-current={i === all.length - 1 ? 'location' : undefined}
            title={c.path ? c.path : trans.__('The Jupyter root')}
            onClick={() => props.onOpen(c.path)}
          >
            {c.name}
          </button>
        </React.Fragment>
      ))}
    </nav>
  );
}
