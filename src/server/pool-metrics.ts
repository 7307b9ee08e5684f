/**
 * /metrics for the whole worker pool.
 *
 * Every worker keeps its own prom-client registry. A worker that is asked for /metrics asks the primary over IPC;
 * the primary collects `getMetricsAsJSON()` from every *listening* worker (not one still booting, whose IPC listener
 * may not exist yet, nor one draining away) and merges them with prom-client's `AggregatorRegistry.aggregate`
 * (counters and histograms summed, gauges summed or as each default metric declares). Outside a pool worker
 * (`npm start`, tests) /metrics stays the process's own registry.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Worker → primary: "send me the pool's text". */
interface PoolMetricsRequest {
  type: 'dukaan:pool-metrics-request';
  id: string;
}
/** Primary → worker: the answer to a PoolMetricsRequest. */
interface PoolMetricsReply {
  type: 'dukaan:pool-metrics-reply';
  id: string;
  text?: string;
  error?: string;
}
/** Primary → every listening worker: "send me your registry". */
interface CollectRequest {
  type: 'dukaan:metrics-collect';
  id: string;
}
/** Worker → primary: one worker's registry. */
interface CollectReply {
  type: 'dukaan:metrics-part';
  id: string;
  metrics: MetricsJson;
}

function isMessage<T extends { type: string }>(msg: unknown, type: T['type']): msg is T {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type;
}

const ASK_PRIMARY_TIMEOUT_MS = 5_000;
const COLLECT_TIMEOUT_MS = 3_000;

/**
 * Called by registerMetrics with its registry. In a pool worker it answers the primary's collection requests and
 * returns a function that fetches the whole pool's metrics text; anywhere else it returns null.
 */
export function attachPoolMetrics(registry: Registry): (() => Promise<string>) | null {
  if (!cluster.isWorker || !process.send) return null;
  const pending = new Map<string, { resolve(text: string): void; reject(err: Error): void }>();
  process.on('message', (msg: unknown) => {
    if (isMessage<CollectRequest>(msg, 'dukaan:metrics-collect')) {
      void registry.getMetricsAsJSON().then((metrics) => {
        const reply: CollectReply = { type: 'dukaan:metrics-part', id: msg.id, metrics };
        process.send?.(reply);
      });
    } else if (isMessage<PoolMetricsReply>(msg, 'dukaan:pool-metrics-reply')) {
      const waiter = pending.get(msg.id);
      if (!waiter) return;
      pending.delete(msg.id);
      if (msg.text !== undefined) waiter.resolve(msg.text);
      else waiter.reject(new Error(msg.error ?? 'the primary sent no metrics'));
    }
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the pool primary did not answer for metrics'));
      }, ASK_PRIMARY_TIMEOUT_MS);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      const request: PoolMetricsRequest = { type: 'dukaan:pool-metrics-request', id };
      process.send!(request);
    });
}

/**
 * Primary side: answers workers' /metrics requests by merging the registries of `listeningWorkers()`.
 * A worker that does not answer within COLLECT_TIMEOUT_MS (it died, it is stuck) is left out of that scrape.
 */
export function servePoolMetrics(listeningWorkers: () => Worker[]): void {
  const collections = new Map<string, { parts: MetricsJson[]; waitingFor: Set<number>; done(): void }>();

  function collect(): Promise<MetricsJson[]> {
    const workers = listeningWorkers().filter((w) => w.isConnected());
    return new Promise((resolve) => {
      const id = randomUUID();
      const parts: MetricsJson[] = [];
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
      function finish() {
        clearTimeout(timer);
        collections.delete(id);
        resolve(parts);
      }
      collections.set(id, { parts, waitingFor: new Set(workers.map((w) => w.id)), done: finish });
      if (workers.length === 0) return finish();
      const request: CollectRequest = { type: 'dukaan:metrics-collect', id };
      for (const w of workers) w.send(request);
    });
  }

  cluster.on('message', (worker: Worker, msg: unknown) => {
    if (isMessage<CollectReply>(msg, 'dukaan:metrics-part')) {
      const c = collections.get(msg.id);
      if (!c?.waitingFor.delete(worker.id)) return;
      c.parts.push(msg.metrics);
      if (c.waitingFor.size === 0) c.done();
    } else if (isMessage<PoolMetricsRequest>(msg, 'dukaan:pool-metrics-request')) {
      collect()
        .then(async (parts) => AggregatorRegistry.aggregate(parts).metrics())
        .then(
          (text) => sendReply(worker, { type: 'dukaan:pool-metrics-reply', id: msg.id, text }),
          (err: unknown) => sendReply(worker, { type: 'dukaan:pool-metrics-reply', id: msg.id, error: String(err) }),
        );
    }
  });

  // A worker that exits mid-collection must not hold the scrape until the timeout.
  cluster.on('exit', (worker: Worker) => {
    for (const c of collections.values()) if (c.waitingFor.delete(worker.id) && c.waitingFor.size === 0) c.done();
  });
}

function sendReply(worker: Worker, reply: PoolMetricsReply) {
  if (worker.isConnected()) worker.send(reply);
}
