/** Tokens and interfaces shared by the Bulkrun plugins. */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { BulkrunClient } from './api/client';
import type { EventClient } from './api/events';
import type { Resources } from './api/types';
import type { BatchModelRegistry } from './cell/model';

/** The user settings (schema/plugin.json). */
export interface IBulkrunSettings {
  defaultBackend: string;
  defaultResources: Resources;
  tablePageSize: number;
  confirmBulkActions: boolean;
  confirmCellDelete: boolean;
}

export const DEFAULT_SETTINGS: IBulkrunSettings = {
  defaultBackend: '',
  defaultResources: {},
  tablePageSize: 5000,
  confirmBulkActions: true,
  confirmCellDelete: true,
};

/** The Bulkrun services of one JupyterLab page. */
export interface IBulkrun {
  readonly client: BulkrunClient;
  readonly events: EventClient;
  /** One live model per batch, shared by every cell and tab showing it. */
  readonly models: BatchModelRegistry;
  readonly settings: IBulkrunSettings;
  readonly settingsChanged: ISignal<IBulkrun, IBulkrunSettings>;
}

export const IBulkrun = new Token<IBulkrun>(
  'jupyterlab-bulkrun:IBulkrun',
  'Bulkrun REST and event clients, batch models and settings.'
);
