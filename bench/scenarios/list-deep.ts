/** Storefront product list, a deep page: the keyset cursor after 1,000 products must cost what the first page costs. */
import { measure, notRunnable, probe, readResult, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Storefront list, deep cursor page (after 1,000)';
const DEPTH = 1000;

export const listDeep: Scenario = async (env) => {
  const base = `/api/v1/storefront/${env.store.slug}/products`;
  // Walk the real API to the depth: the cursor format is the server's business, not ours.
  let cursor: string | null = null;
  for (let seen = 0; seen < DEPTH; seen += 100) {
    const p = await probe(
      env.baseUrl,
      'GET',
      `${base}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (p.status !== 200) return notRunnable('list-deep', TITLE, 'bare', `GET ${base}?limit=100`, p);
    cursor = (JSON.parse(p.text) as { nextCursor: string | null }).nextCursor;
    if (!cursor)
      return {
        name: 'list-deep',
        title: TITLE,
        ceiling: 'bare',
        state: 'failed',
        note: `the bench store lists fewer than ${DEPTH} products`,
      };
  }
  const path = `${base}?cursor=${encodeURIComponent(cursor!)}`;
  const p = await probe(env.baseUrl, 'GET', path);
  if (p.status !== 200) return notRunnable('list-deep', TITLE, 'bare', `GET ${path}`, p);
  const load = await measure(env, [{ name: 'list-deep', method: 'GET', path: () => path }]);
  return readResult('list-deep', TITLE, load);
};

await runAlone(import.meta.url, 'list-deep', listDeep);
