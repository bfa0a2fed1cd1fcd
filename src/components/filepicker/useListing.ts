/**
 * A folder's listing through the contents manager, as the file picker shows it
 * (src/model/filetree.ts): null while it loads; when it cannot be read, empty with the
 * error.
 */
import type { Contents } from '@jupyterlab/services';
import * as React from 'react';
import { listEntries, type Listing } from '../../model/filetree';

export function useListing(
  contents: Contents.IManager,
  dir: string,
  accept?: (name: string) => boolean
): { listing: Listing | null; error: string } {
  const [listing, setListing] = React.useState<Listing | null>(null);
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    // A folder left before its listing came back must not show that listing.
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
  return { listing, error };
}
