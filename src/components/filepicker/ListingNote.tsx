/**
 * Under the file picker's list: why the folder could not be listed, and which files it
 * shows (`acceptNote`) with how many others it leaves out.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { Listing } from '../../model/filetree';

export function ListingNote(props: {
  trans: TranslationBundle;
  dir: string;
  listing: Listing | null;
  error: string;
  acceptNote?: string;
}): JSX.Element {
  const { trans, listing, error, acceptNote } = props;
  return (
    <>
      {error ? (
        <div className="jp-Bulkrun-error" role="alert">
          {trans.__('Could not list %1: %2', props.dir || '/', error)}
        </div>
      ) : null}
      {listing?.skipped ? (
        <div className="jp-Bulkrun-muted">
          {acceptNote
            ? trans._n(
                '%2; %1 other file not shown',
                '%2; %1 other files not shown',
                listing.skipped,
                acceptNote
              )
            : trans._n('%1 other file not shown', '%1 other files not shown', listing.skipped)}
        </div>
      ) : acceptNote ? (
        <div className="jp-Bulkrun-muted">{acceptNote}</div>
      ) : null}
    </>
  );
}
