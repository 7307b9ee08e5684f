/** Product detail by slug: every request a different product of the bench store (a shared product link). */
import { cycler, measure, notRunnable, probe, readResult, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Product detail';

export const detail: Scenario = async (env) => {
  const base = `/api/v1/storefront/${env.store.slug}/products/`;
  const shuffled = [...env.store.productSlugs].sort(() => Math.random() - 0.5);
  const p = await probe(env.baseUrl, 'GET', base + shuffled[0]);
  if (p.status !== 200) return notRunnable('detail', TITLE, 'bare', `GET ${base}${shuffled[0]}`, p);
  const next = cycler(shuffled);
  const load = await measure(env, [{ name: 'detail', method: 'GET', path: () => base + next() }]);
  const result = readResult('detail', TITLE, load);
  result.details = [`${shuffled.length} different products in rotation`];
  return result;
};

await runAlone(import.meta.url, 'detail', detail);
