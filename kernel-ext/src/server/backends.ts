/**
 * Which backends this server runs: `local` always; `slurm` and `htcondor` unless the
 * config disables them (`backends: {slurm: false}`). A backend whose scheduler is not
 * installed still appears in /health as unavailable, with the reason.
 */
import type { Backend, Logger } from '../backends/base';
import { LocalBackend } from '../backends/local';

type Factory = (cfg: Record<string, unknown>) => Backend;

function optional(modulePath: string, exportName: string): Factory | null {
  try {
    const mod = require(modulePath);
    const f = mod[exportName];
    return typeof f === 'function' ? (f as Factory) : null;
  } catch {
    return null;
  }
}

export function createBackends(conf: Record<string, unknown>, log: Logger): Map<string, Backend> {
  const out = new Map<string, Backend>();
  out.set('local', new LocalBackend((conf.local as object) ?? {}));
  const extra: [string, string, string][] = [
    ['slurm', '../backends/slurm', 'createSlurmBackend'],
    ['htcondor', '../backends/htcondor', 'createHTCondorBackend'],
  ];
  for (const [name, mod, fn] of extra) {
    if (conf[name] === false) continue;
    const factory = optional(mod, fn);
    if (!factory) {
      log.debug({ backend: name }, 'backend module not available');
      continue;
    }
    out.set(name, factory((conf[name] as Record<string, unknown>) ?? {}));
  }
  return out;
}
