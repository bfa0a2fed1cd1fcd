/** The notebook a bulk-run cell lives in (its path under the Jupyter root), for its views. */
import * as React from 'react';

export const OriginContext = React.createContext<string>('');

/** The notebook's folder under the Jupyter root: '' at the root, else 'a/b'. */
export function useNotebookDir(): string {
  const origin = React.useContext(OriginContext);
  return origin.includes('/') ? origin.slice(0, origin.lastIndexOf('/')) : '';
}
