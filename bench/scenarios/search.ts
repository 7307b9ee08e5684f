/** Storefront search (`q=`): every request one of the common words customers type, within the bench store. */
import { SEARCH_TERMS } from '../lib/words.js';
import { cycler, measure, notRunnable, probe, readResult, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Storefront search (q=)';

export const search: Scenario = async (env) => {
  const base = `/api/v1/storefront/${env.store.slug}/products?q=`;
  const p = await probe(env.baseUrl, 'GET', base + SEARCH_TERMS[0]);
  if (p.status !== 200) return notRunnable('search', TITLE, 'bare', `GET ${base}${SEARCH_TERMS[0]}`, p);
  const next = cycler(SEARCH_TERMS);
  const load = await measure(env, [{ name: 'search', method: 'GET', path: () => base + encodeURIComponent(next()) }]);
  const result = readResult('search', TITLE, load);
  result.details = [`${SEARCH_TERMS.length} search words in rotation`];
  return result;
};

await runAlone(import.meta.url, 'search', search);
