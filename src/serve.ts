/**
 * `dukaan serve`: the worker pool. In the primary process: migrate once, fork the workers, handle signals
 * (src/server/cluster.ts). In a worker (node:cluster runs this same entry again): start one server.
 *
 * Only the worker imports the app (`./start.js` → the app → every route and library): a static import here
 * would make the primary, which serves nothing, carry the whole app in memory too.
 */
import cluster from 'node:cluster';

if (cluster.isPrimary) {
  await (await import('./server/cluster.js')).runPrimary();
} else {
  const [{ runWorker }, { startServer }] = await Promise.all([import('./server/pool-worker.js'), import('./start.js')]);
  await runWorker(startServer);
}
