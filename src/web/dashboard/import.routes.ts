/**
 * Products in and out as a spreadsheet (the same CSV as `POST …/products/import` and `GET …/products/export`).
 * Upload → a dry run lists what would be created, updated or left, and every row with a problem → "Apply"
 * writes it. Between the two the file waits on the server (src/media/pending.ts); the form carries its id.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { IMPORT_BODY_LIMIT } from '../../catalog/import.routes.js';
import { exportProducts, importProducts, type ImportResult } from '../../catalog/import.service.js';
import { dropPending, keepPending, readPending } from '../../media/pending.js';
import { validationFailed } from '../../shared/errors.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { html, type Html } from '../html.js';
import { csrfField, field, formBody, problemSummary, seeOther, setFlash, type FormProblem } from '../forms.js';
import type { Translate } from '../../i18n/index.js';
import { currentStore, storePath, trOf, pageProblem } from './context.js';
import { input } from './fields.js';
import { importProblemText } from './import-problems.js';
import { csrfPasses, readForm } from './multipart-form.js';
import { sendDashboardPage } from './shell.js';

const PROBLEMS_SHOWN = 200;

function counts(result: ImportResult, tr: Translate): Html {
  return html`<ul class="lines" data-testid="import-counts">
<li class="line">${tr('dashboard.import.created', { count: result.created })}</li>
<li class="line">${tr('dashboard.import.updated', { count: result.updated })}</li>
<li class="line">${tr('dashboard.import.unchanged', { count: result.unchanged })}</li>
</ul>`;
}

function problems(result: ImportResult, tr: Translate, lang: string): Html {
  if (!result.errors.length)
    return html`<p class="notice ok" data-testid="import-clean">${tr('dashboard.import.noProblems')}</p>`;
  const shown = result.errors.slice(0, PROBLEMS_SHOWN);
  const summary = tr('dashboard.import.problems', { count: result.errors.length });
  return html`<div class="notice warn" data-testid="import-problems-summary">${summary}</div>
<div class="table-wrap"><table class="table" data-testid="import-problems">
<thead><tr><th scope="col">${tr('dashboard.import.row')}</th>
<th scope="col">${tr('dashboard.import.problem')}</th></tr></thead>
<tbody>${shown.map((e) => html`<tr><td>${e.row}</td><td>${importProblemText(tr, lang, e)}</td></tr>`)}</tbody>
</table></div>`;
}

function page(
  request: FastifyRequest,
  reply: FastifyReply,
  store: StoreRow,
  state: { dryRun: { result: ImportResult; upload: string; filename: string } | null; problem: FormProblem | null },
) {
  const tr = trOf(request);
  const base = storePath(store.id, '/products');
  const dry = state.dryRun;
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.import.title'),
    pageId: 'products-import',
    store,
    section: 'products',
    status: state.problem?.status,
    main: html`<p class="small"><a href="${base}">← ${tr('dashboard.nav.products')}</a></p>
<h1>${tr('dashboard.import.title')}</h1>
${
  dry
    ? html`<section class="panel" aria-labelledby="dry-title" data-testid="dry-run">
<h2 id="dry-title">${tr('dashboard.import.checked', { file: dry.filename })}</h2>
<p>${tr('dashboard.import.nothingYet')}</p>
${counts(dry.result, tr)}
${problems(dry.result, tr, request.dashboardLang)}
${
  dry.result.created + dry.result.updated > 0
    ? html`<form method="post" action="${base}/import/apply">${csrfField(reply)}
<input type="hidden" name="upload" value="${dry.upload}">
<p><button class="btn block" type="submit" data-testid="apply-import">
${tr('dashboard.import.apply', { count: dry.result.created + dry.result.updated })}</button></p>
</form>`
    : html`<p data-testid="nothing-to-apply">${tr('dashboard.import.nothingToApply')}</p>`
}
</section>`
    : ''
}
<section aria-labelledby="upload-title">
<h2 id="upload-title">${dry ? tr('dashboard.import.another') : tr('dashboard.import.upload')}</h2>
<p class="small">${tr('dashboard.import.columns')}</p>
${problemSummary(state.problem)}
<form method="post" action="${base}/import" enctype="multipart/form-data" novalidate data-testid="import-form">
${csrfField(reply)}
${input({
  name: 'file',
  label: tr('dashboard.import.file'),
  type: 'file',
  accept: '.csv,text/csv',
  required: true,
  problem: state.problem,
  testid: 'import-file',
})}
<p><button class="btn" type="submit" data-testid="check-import">${tr('dashboard.import.check')}</button></p>
</form>
</section>
<section aria-labelledby="export-title">
<h2 id="export-title">${tr('dashboard.import.exportTitle')}</h2>
<p class="small">${tr('dashboard.import.exportHint')}</p>
<p><a class="btn secondary" href="${base}/export.csv" download
 data-testid="export-products">${tr('dashboard.import.export')}</a></p>
</section>`,
  });
}

export const importRoutes: FastifyPluginAsync = async (app) => {
  app.get('/products/import', async (request, reply) =>
    page(request, reply, currentStore(request), { dryRun: null, problem: null }),
  );

  app.post('/products/import', async (request, reply) => {
    const store = currentStore(request);
    const { fields, file } = await readForm(request, { maxFields: 5, maxFileBytes: IMPORT_BODY_LIMIT });
    if (!csrfPasses(request, reply, fields)) return reply;
    const tr = trOf(request);
    try {
      if (!file)
        throw validationFailed(
          tr('dashboard.import.chooseFile'),
          [{ code: 'required', path: '/file', message: tr('dashboard.import.chooseFile') }],
          422,
        );
      const result = await importProducts(app.db, store, file.bytes.toString('utf8'), true);
      const upload = await keepPending(app.config.dataDir, store.id, file.bytes, 'csv');
      const filename = file.filename.slice(0, 100) || 'products.csv';
      return page(request, reply, store, { dryRun: { result, upload, filename }, problem: null });
    } catch (err) {
      return page(request, reply, store, { dryRun: null, problem: pageProblem(request, err, () => 'file') });
    }
  });

  app.post('/products/import/apply', { preHandler: app.csrfProtection }, async (request, reply) => {
    const store = currentStore(request);
    const tr = trOf(request);
    const upload = field(formBody(request), 'upload', 100) ?? '';
    const bytes = await readPending(app.config.dataDir, store.id, upload, 'csv');
    if (!bytes) {
      setFlash(request, reply, 'error', tr('dashboard.import.expired'));
      return seeOther(reply, storePath(store.id, '/products/import'));
    }
    const result = await importProducts(app.db, store, bytes.toString('utf8'), false);
    await dropPending(app.config.dataDir, store.id, upload, 'csv');
    setFlash(
      request,
      reply,
      'ok',
      tr('dashboard.import.done', { created: result.created, updated: result.updated, skipped: result.errors.length }),
    );
    return seeOther(reply, storePath(store.id, '/products'));
  });

  app.get('/products/export.csv', async (request, reply) => {
    const store = currentStore(request);
    return reply
      .type('text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${store.slug}-products.csv"`)
      .send(await exportProducts(app.db, store));
  });
};
