/** What React views of Bulkrun need from JupyterLab, passed down once. */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Contents } from '@jupyterlab/services';
import * as React from 'react';
import type { IBulkrun } from '../tokens';

export interface IViewContext {
  bulkrun: IBulkrun;
  trans: TranslationBundle;
  /** The Jupyter file tree (for "fill from files"); absent in tests. */
  contents?: Contents.IManager;
  /** Opens a notebook or file by path. */
  open?: (path: string) => void;
  /** Opens a batch in a view of its own (no cell needed). */
  openBatch?: (id: string) => void;
  /** JupyterLab's commands (e.g. filebrowser:go-to-path for a work dir). */
  commands?: { execute(id: string, args?: any): Promise<unknown>; hasCommand(id: string): boolean };
  /** Asks the user to confirm; resolves true when confirmed (honours settings). */
  confirm: (title: string, body: string, action: string) => Promise<boolean>;
}

export const ViewContext = React.createContext<IViewContext | null>(null);

export function useView(): IViewContext {
  const v = React.useContext(ViewContext);
  if (!v) {
    throw new Error('Bulkrun views need a ViewContext');
  }
  return v;
}

/** Re-renders when a Lumino signal fires. */
export function useSignal(signal: { connect: any; disconnect: any } | null | undefined): number {
  const [n, setN] = React.useState(0);
  React.useEffect(() => {
    if (!signal) {
      return;
    }
    const slot = () => setN(x => x + 1);
    signal.connect(slot);
    return () => {
      signal.disconnect(slot);
    };
  }, [signal]);
  return n;
}

/** Current time, refreshed every `ms` while `active`. */
export function useNow(ms: number, active: boolean): number {
  const [now, setNow] = React.useState(Date.now());
  React.useEffect(() => {
    if (!active) {
      return;
    }
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms, active]);
  return active ? now : Date.now();
}
