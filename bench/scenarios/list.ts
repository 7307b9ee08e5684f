/** Storefront product list, first page (20 items): what everyone who opens a shared store link loads first. */
import { measure, notRunnable, probe, readResult, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Storefront list, first page (20)';

export const list: Scenario = async (env) => {
  const path = `/api/v1/storefront/${env.store.slug}/products`;
  const p = await probe(env.baseUrl, 'GET', path);
  if (p.status !== 200) return notRunnable('list', TITLE, 'bare', `GET ${path}`, p);
  const items = (JSON.parse(p.text) as { items: unknown[] }).items.length;
  const load = await measure(env, [{ name: 'list', method: 'GET', path: () => path }]);
  const result = readResult('list', TITLE, load);
  result.details = [`${items} items, ${p.text.length.toLocaleString('en-US')} bytes per answer`];
  return result;
};

await runAlone(import.meta.url, 'list', list);
