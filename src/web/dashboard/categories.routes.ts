/** Categories: a short list, each renamed or moved in place; deleting one leaves its products uncategorised. */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  createCategory,
  deleteCategory,
  getCategory,
  listCategories,
  updateCategory,
} from '../../catalog/categories.service.js';
import { CreateCategoryBody, UpdateCategoryBody } from '../../catalog/catalog.schema.js';
import type { StoreRow } from '../../stores/stores.service.js';
import { html } from '../html.js';
import {
  csrfField,
  field,
  formBody,
  problemSummary,
  seeOther,
  setFlash,
  type FormBody,
  type FormProblem,
} from '../forms.js';
import { currentStore, storePath, trOf, pageProblem } from './context.js';
import { input } from './fields.js';
import { parseInteger } from './form-values.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';

interface Failed {
  form: string;
  values: FormBody;
  problem: FormProblem;
}

async function render(request: FastifyRequest, reply: FastifyReply, store: StoreRow, failed: Failed | null) {
  const categories = await listCategories(request.server.db, store.id);
  const base = storePath(store.id, '/categories');
  const valueFor = (form: string, name: string, stored: string) =>
    failed?.form === form ? (field(failed.values, name) ?? '') : stored;
  const problemOf = (form: string) => (failed?.form === form ? failed.problem : null);
  const tr = trOf(request);
  return sendDashboardPage(request, reply, {
    title: tr('dashboard.products.categories'),
    pageId: 'categories',
    store,
    section: 'categories',
    status: failed?.problem.status,
    main: html`<p class="small"><a href="${storePath(store.id, '/products')}">← ${tr('dashboard.nav.products')}</a></p>
<h1>${tr('dashboard.products.categories')}</h1>
<p class="small">${tr('dashboard.categories.intro')}</p>
<section class="panel" aria-labelledby="add-title">
<h2 id="add-title">${tr('dashboard.categories.add')}</h2>
${problemSummary(problemOf('new'))}
<form method="post" action="${base}" class="row" novalidate data-testid="category-form">
${csrfField(reply)}<div>${input({ name: 'name', idPrefix: 'new', label: tr('dashboard.products.name'), value: valueFor('new', 'name', ''), problem: problemOf('new'), maxlength: 100, required: true, placeholder: 'Snacks' })}</div>
<button class="btn" type="submit">${tr('dashboard.categories.addButton')}</button>
</form>
</section>
${
  categories.length === 0
    ? html`<p>${tr('dashboard.categories.none')}</p>`
    : html`<ul class="lines" data-testid="category-list">${categories.map((c) => {
        const key = `c-${c.id}`;
        return html`<li class="line" data-testid="category-row">
${problemSummary(problemOf(key))}
<form method="post" action="${base}/${c.id}" class="row" novalidate>
${csrfField(reply)}<div>${input({ name: 'name', idPrefix: key, label: tr('dashboard.products.name'), value: valueFor(key, 'name', c.name), problem: problemOf(key), maxlength: 100 })}</div>
<div>${input({
          name: 'position',
          idPrefix: key,
          label: tr('dashboard.categories.position'),
          inputmode: 'numeric',
          value: valueFor(key, 'position', String(c.position)),
          problem: problemOf(key),
          maxlength: 7,
        })}</div>
<button class="btn secondary" type="submit">${tr('dashboard.form.save')}</button>
</form>
<form method="post" action="${base}/${c.id}/delete">${csrfField(reply)}<button class="linkish" type="submit" data-testid="delete-category">${tr('dashboard.categories.delete', { name: c.name })}</button></form>
</li>`;
      })}</ul>`
}`,
  });
}

export const categoryRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };

  app.get('/categories', async (request, reply) => render(request, reply, currentStore(request), null));

  app.post('/categories', csrf, async (request, reply) => {
    const store = currentStore(request);
    const values = formBody(request);
    try {
      const input = { name: (field(values, 'name', 1000) ?? '').trim() };
      assertBody(CreateCategoryBody, input);
      const category = await createCategory(app.db, store.id, input);
      setFlash(request, reply, 'ok', trOf(request)('dashboard.products.sizeAdded', { name: category.name }));
      return seeOther(reply, storePath(store.id, '/categories'));
    } catch (err) {
      return render(request, reply, store, { form: 'new', values, problem: pageProblem(request, err) });
    }
  });

  app.post<{ Params: { storeId: string; categoryId: string } }>(
    '/categories/:categoryId',
    csrf,
    async (request, reply) => {
      const store = currentStore(request);
      const category = await getCategory(app.db, store.id, request.params.categoryId);
      const values = formBody(request);
      try {
        const input: Record<string, unknown> = { name: (field(values, 'name', 1000) ?? '').trim() };
        const position = parseInteger(field(values, 'position', 20) ?? '', { min: 0, max: 1_000_000 });
        const problems = position.ok ? [] : [{ code: 'invalid', path: '/position', message: position.message }];
        if (position.ok) input.position = position.value;
        assertBody(UpdateCategoryBody, input, problems);
        await updateCategory(app.db, store.id, category.id, input);
        setFlash(request, reply, 'ok', trOf(request)('dashboard.categories.saved'));
        return seeOther(reply, storePath(store.id, '/categories'));
      } catch (err) {
        return render(request, reply, store, { form: `c-${category.id}`, values, problem: pageProblem(request, err) });
      }
    },
  );

  app.post<{ Params: { storeId: string; categoryId: string } }>(
    '/categories/:categoryId/delete',
    csrf,
    async (request, reply) => {
      const store = currentStore(request);
      const category = await getCategory(app.db, store.id, request.params.categoryId);
      await deleteCategory(app.db, store.id, category.id);
      setFlash(request, reply, 'ok', trOf(request)('dashboard.categories.deleted', { name: category.name }));
      return seeOther(reply, storePath(store.id, '/categories'));
    },
  );
};
