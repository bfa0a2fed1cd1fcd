/**
 * Which backends this server runs: `local` always; `slurm` and `htcondor` unless the
 * config disables them (`backends: {slurm: false}`); `rabbitmq` when the config has
 * a `backends.rabbitmq` section and a broker URL (its `url`, else $BULKRUN_AMQP_URL). A backend whose scheduler is not
 * installed still appears in /health as unavailable, with the reason.
 */
import type { Backend, Logger } from '../backends/base';
import { createHTCondorBackend } from '../backends/htcondor';
import { LocalBackend } from '../backends/local';
import { createRabbitMQBackend } from '../backends/rabbitmq';
import { createSlurmBackend } from '../backends/slurm';

type Factory = (cfg: Record<string, unknown>) => Backend;

// Static imports, so the bundle (kernel-ext/scripts/bundle.js) carries every backend.
const OPTIONAL: [string, Factory][] = [
  ['slurm', createSlurmBackend],
  ['htcondor', createHTCondorBackend],
];

export function createBackends(conf: Record<string, unknown>, log: Logger): Map<string, Backend> {
  const out = new Map<string, Backend>();
  out.set('local', new LocalBackend((conf.local as object) ?? {}));
  for (const [name, factory] of OPTIONAL) {
    if (conf[name] === false) {
      log.debug({ backend: name }, 'backend turned off in the config');
      continue;
    }
    out.set(name, factory((conf[name] as Record<string, unknown>) ?? {}));
  }
  // The broker's URL may come from the environment, so its password need not be in a file.
  const rabbit = conf.rabbitmq;
  if (rabbit && typeof rabbit === 'object') {
    const url = (rabbit as { url?: unknown }).url ?? process.env.BULKRUN_AMQP_URL;
    if (url) out.set('rabbitmq', createRabbitMQBackend({ ...rabbit, url }));
  }
  return out;
}
