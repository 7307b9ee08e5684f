/** The store's home page, server-rendered HTML (`GET /{slug}`): what WhatsApp link previews and phones open. */
import { measure, notRunnable, probe, readResult, type Scenario } from '../lib/scenario.js';
import { runAlone } from '../run-alone.js';

export const TITLE = 'Store home page HTML';

export const home: Scenario = async (env) => {
  const path = `/${env.store.slug}`;
  const p = await probe(env.baseUrl, 'GET', path);
  if (p.status !== 200) return notRunnable('home', TITLE, 'bare', `GET ${path}`, p);
  if (!p.contentType.startsWith('text/html')) {
    return {
      name: 'home',
      title: TITLE,
      ceiling: 'bare',
      state: 'failed',
      note: `GET ${path} answered ${p.contentType}, not HTML`,
    };
  }
  const load = await measure(env, [{ name: 'home', method: 'GET', path: () => path }]);
  const result = readResult('home', TITLE, load);
  result.details = [`${p.text.length.toLocaleString('en-US')} bytes of HTML per answer`];
  return result;
};

await runAlone(import.meta.url, 'home', home);
