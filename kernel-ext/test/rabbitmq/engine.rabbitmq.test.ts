/**
 * The engine's behaviour suites on the worker pool: the real RabbitMQ from
 * scripts/rabbitmq-up and three real `bulkrun worker` processes. Every batch rule (retry,
 * fan-in, slots, priority, cancel) holds there as on the local backend and Slurm.
 */
import { defineEngineSuite } from '../suites/engine-suite';
import { defineSemanticsSuite } from '../suites/semantics-suite';
import {
  describeRabbit,
  dropQueues,
  rabbitConfig,
  rabbitUp,
  startWorker,
  stopWorkers,
  uniqueQueue,
  type WorkerProc,
} from './harness';

const queue = uniqueQueue('engine');
// Filled in once the broker is up (its URL is known then); the suites read it later.
const config = rabbitConfig(queue);
let workers: WorkerProc[] = [];

beforeAll(() => {
  const url = rabbitUp('engine on rabbitmq');
  (config.backends as { rabbitmq: { url: string } }).rabbitmq.url = url;
  workers = [0, 1, 2].map(() => startWorker(queue, ['--concurrency', '2']));
}, 300_000);
afterAll(async () => {
  await stopWorkers(workers);
  await dropQueues([queue]);
});

describeRabbit('engine on rabbitmq', () => defineEngineSuite('rabbitmq', config, 240_000));
describeRabbit('semantics on rabbitmq', () => defineSemanticsSuite('rabbitmq', config, 300_000));
