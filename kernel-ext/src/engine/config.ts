/** Engine settings with their defaults; the server's config file overrides any of them. */
export interface EngineConfig {
  dataDir: string;
  /** URL jobs use to reach the server (BULKRUN_URL). */
  publicUrl: string;
  defaultBackend: string;
  maxRows: number;
  /** Per-job cap on manual retries (docs/SEMANTICS.md "Retry: in flight and limit": default 5). */
  retryLimit: number;
  /** Default automatic retries of transient failures per batch row. */
  defaultMaxRetries: number;
  outputMaxBytes: number;
  /** slots[backend][user] or slots[backend]['*']; undefined → the backend's default. */
  slots: Record<string, Record<string, number | null>>;
  reaper: {
    intervalMs: number;
    createdMaxAgeMs: number;
    queuedMaxAgeMs: number;
  };
  eventRetention: { maxAgeMs: number; keepAtLeast: number };
  admins: string[];
  /**
   * The most memory an automatic `oom` retry may ask for, per backend (the config file's
   * `backends.<name>.maxMemory`, e.g. a partition's largest node).
   */
  maxMemory: Record<string, string>;
  /** How many levels of batches nested fan-out may build (docs/SEMANTICS.md "Nested fan-out"). */
  maxFanOutDepth: number;
  /** Below this much free space in the data dir, health warns (docs/SEMANTICS.md "A full disk"). */
  lowSpaceMB: number;
}

export function defaultEngineConfig(dataDir: string): EngineConfig {
  return {
    dataDir,
    publicUrl: '',
    defaultBackend: 'local',
    maxRows: 100_000,
    retryLimit: 5,
    defaultMaxRetries: 2,
    outputMaxBytes: 1024 * 1024,
    slots: {},
    reaper: {
      intervalMs: 60_000,
      createdMaxAgeMs: 60 * 60 * 1000,
      queuedMaxAgeMs: 14 * 24 * 60 * 60 * 1000,
    },
    eventRetention: { maxAgeMs: 7 * 24 * 60 * 60 * 1000, keepAtLeast: 100_000 },
    admins: [],
    maxMemory: {},
    maxFanOutDepth: 4,
    lowSpaceMB: 200,
  };
}
