/**
 * Products, variants, pictures and stock, as pages. Each handler reads a form, checks it against the API's
 * body schema, and calls the same catalog/inventory/media service the API route calls.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  addVariant,
  archiveProduct,
  archiveVariant,
  createProduct,
  getProduct,
  listProducts,
  updateProduct,
  updateVariant,
} from '../../catalog/products.service.js';
import { listCategories } from '../../catalog/categories.service.js';
import {
  CreateProductBody,
  MAX_IMAGES,
  UpdateProductBody,
  UpdateVariantBody,
  VariantInputBody,
} from '../../catalog/catalog.schema.js';
import { changeStock } from '../../inventory/stock.js';
import { MAX_STOCK } from '../../inventory/limits.js';
import { parseMediaUrl, removeStoredImage, storeImage } from '../../media/images.js';
import { storeUrl, type StoreRow } from '../../stores/stores.service.js';
import { AppError, validationFailed } from '../../shared/errors.js';
import { field, formBody, seeOther, setFlash, type FormBody } from '../forms.js';
import { currentStore, safeReturnPath, storePath, trOf, pageProblem } from './context.js';
import { parseInteger, parseOptionalInteger } from './form-values.js';
import { csrfPasses, readForm } from './multipart-form.js';
import {
  newProductFieldOf,
  productFieldOf,
  readNewProductForm,
  readProductDetailsForm,
  readVariantForm,
} from './products.forms.js';
import { editProductMain, newProductMain, productListMain, type EditFormState } from './products.views.js';
import { sendDashboardPage } from './shell.js';
import { assertBody } from './validate.js';

const PAGE_SIZE = 30;

type ProductParams = { storeId: string; productId: string };

/** The photo a failed add-product form kept: a URL of one of our stored pictures, or nothing. */
const keptImageOf = (url: string | undefined): string | null => (url && parseMediaUrl(url) ? url : null);
type VariantParams = ProductParams & { variantId: string };

async function renderEdit(
  request: FastifyRequest,
  reply: FastifyReply,
  store: StoreRow,
  productId: string,
  failed: EditFormState | null,
) {
  const [product, categories] = await Promise.all([
    getProduct(request.server.db, store.id, productId),
    listCategories(request.server.db, store.id),
  ]);
  return sendDashboardPage(request, reply, {
    title: product.name,
    pageId: 'product-edit',
    store,
    section: 'products',
    status: failed?.problem.status,
    main: editProductMain(reply, {
      store,
      product,
      categories,
      failed,
      productUrl: `${storeUrl(request.server.config, store.slug)}/p/${product.slug}`,
      tr: trOf(request),
    }),
  });
}

/** Runs a form's action; an expected failure re-renders the product page with the problem beside that form. */
async function onEditForm(
  request: FastifyRequest,
  reply: FastifyReply,
  form: EditFormState['form'],
  action: (values: FormBody) => Promise<string>,
) {
  const store = currentStore(request);
  const { productId } = request.params as ProductParams;
  const values = formBody(request);
  try {
    const message = await action(values);
    setFlash(request, reply, 'ok', message);
    return seeOther(reply, storePath(store.id, `/products/${productId}`));
  } catch (err) {
    const problem = pageProblem(request, err, productFieldOf);
    if (problem.code === 'not_found') throw err;
    return renderEdit(request, reply, store, productId, { form, values, problem });
  }
}

export const productRoutes: FastifyPluginAsync = async (app) => {
  const csrf = { preHandler: app.csrfProtection };

  app.get<{ Querystring: { q?: string; categoryId?: string; cursor?: string } }>(
    '/products',
    async (request, reply) => {
      const store = currentStore(request);
      const q = typeof request.query.q === 'string' ? request.query.q.slice(0, 100) : '';
      const categoryId = typeof request.query.categoryId === 'string' ? request.query.categoryId : '';
      const cursor = typeof request.query.cursor === 'string' ? request.query.cursor.slice(0, 500) : undefined;
      const [page, categories] = await Promise.all([
        listProducts(app.db, store.id, { q, categoryId: categoryId || undefined, limit: PAGE_SIZE, cursor }),
        listCategories(app.db, store.id),
      ]);
      const tr = trOf(request);
      return sendDashboardPage(request, reply, {
        title: tr('dashboard.nav.products'),
        pageId: 'products',
        store,
        section: 'products',
        main: productListMain(reply, {
          store,
          products: page.items,
          categories,
          q,
          categoryId,
          nextCursor: page.nextCursor,
          returnTo: safeReturnPath(request.url, storePath(store.id, '/products')),
          tr,
        }),
      });
    },
  );

  app.get('/products/new', async (request, reply) => {
    const store = currentStore(request);
    const categories = await listCategories(app.db, store.id);
    const tr = trOf(request);
    return sendDashboardPage(request, reply, {
      title: tr('dashboard.newProduct.title'),
      pageId: 'product-new',
      store,
      section: 'products',
      main: newProductMain(reply, { store, categories, values: null, problem: null, keptImage: null, tr }),
    });
  });

  // Multipart (the picture comes with it): the CSRF token is checked once the parts are read, before anything is
  // stored. A chosen photo is stored at once, so a mistake elsewhere in the form never loses it: the page that
  // shows the mistake carries the stored photo's URL (`keptImage`) and the next save uses it.
  app.post('/products/new', async (request, reply) => {
    const store = currentStore(request);
    const { fields, file } = await readForm(request, { maxFields: 60 });
    if (!csrfPasses(request, reply, fields)) return reply;
    let imageUrl = keptImageOf(field(fields, 'keptImage', 500));
    try {
      if (file) imageUrl = (await storeImage(app.config.dataDir, file.bytes)).url;
      const { input, problems } = readNewProductForm(fields, store.currency);
      assertBody(CreateProductBody, input, problems);
      if (imageUrl) input.images = [imageUrl];
      const product = await createProduct(app.db, store.id, input);
      setFlash(request, reply, 'ok', trOf(request)('dashboard.products.added', { name: product.name }));
      return seeOther(reply, storePath(store.id, `/products/${product.id}`));
    } catch (err) {
      const problem = pageProblem(request, err, newProductFieldOf(fields));
      const categories = await listCategories(app.db, store.id);
      const tr = trOf(request);
      return sendDashboardPage(request, reply, {
        title: tr('dashboard.newProduct.title'),
        pageId: 'product-new',
        store,
        section: 'products',
        status: problem.status,
        main: newProductMain(reply, { store, categories, values: fields, problem, keptImage: imageUrl, tr }),
      });
    }
  });

  app.get<{ Params: ProductParams }>('/products/:productId', async (request, reply) => {
    return renderEdit(request, reply, currentStore(request), request.params.productId, null);
  });

  app.post<{ Params: ProductParams }>('/products/:productId', csrf, async (request, reply) =>
    onEditForm(request, reply, 'details', async (values) => {
      const { input, problems } = readProductDetailsForm(values);
      assertBody(UpdateProductBody, input, problems);
      const product = await updateProduct(app.db, request.params.storeId, request.params.productId, input);
      return trOf(request)('dashboard.products.saved', { name: product.name });
    }),
  );

  app.post<{ Params: ProductParams }>('/products/:productId/archive', csrf, async (request, reply) => {
    const store = currentStore(request);
    const product = await getProduct(app.db, store.id, request.params.productId);
    await archiveProduct(app.db, store.id, product.id);
    setFlash(request, reply, 'ok', trOf(request)('dashboard.products.archived', { name: product.name }));
    return seeOther(reply, storePath(store.id, '/products'));
  });

  // ---- pictures ----
  app.post<{ Params: ProductParams }>('/products/:productId/images', async (request, reply) => {
    const store = currentStore(request);
    const { fields, file } = await readForm(request, { maxFields: 5 });
    if (!csrfPasses(request, reply, fields)) return reply;
    const back = storePath(store.id, `/products/${request.params.productId}`);
    const product = await getProduct(app.db, store.id, request.params.productId);
    let url: string | null = null;
    try {
      if (!file)
        throw validationFailed(
          trOf(request)('dashboard.products.choosePictureUpload'),
          [{ code: 'required', path: '/file', message: trOf(request)('dashboard.products.choosePicture') }],
          422,
        );
      if (product.images.length >= MAX_IMAGES)
        throw validationFailed(
          trOf(request)('dashboard.products.tooManyPictures', { max: MAX_IMAGES }),
          undefined,
          422,
        );
      url = (await storeImage(app.config.dataDir, file.bytes)).url;
      await updateProduct(app.db, store.id, product.id, { images: [...product.images, url] });
      setFlash(request, reply, 'ok', trOf(request)('dashboard.products.pictureAdded'));
    } catch (err) {
      if (url) await removeStoredImage(app.config.dataDir, url);
      setFlash(request, reply, 'error', pageProblem(request, err).summary);
    }
    return seeOther(reply, back);
  });

  app.post<{ Params: ProductParams }>('/products/:productId/images/remove', csrf, async (request, reply) => {
    const store = currentStore(request);
    const url = field(formBody(request), 'url', 2000) ?? '';
    const product = await getProduct(app.db, store.id, request.params.productId);
    if (product.images.includes(url)) {
      // The file stays: the same URL may be in another product, or in an API client's hands.
      await updateProduct(app.db, store.id, product.id, { images: product.images.filter((image) => image !== url) });
      setFlash(request, reply, 'ok', trOf(request)('dashboard.products.pictureRemoved'));
    }
    return seeOther(reply, storePath(store.id, `/products/${product.id}`));
  });

  // ---- variants ----
  app.post<{ Params: ProductParams }>('/products/:productId/variants', csrf, async (request, reply) =>
    onEditForm(request, reply, 'add-variant', async (values) => {
      const { input, problems } = readVariantForm(values, currentStore(request).currency, { withStock: true });
      assertBody(VariantInputBody, input, problems);
      const variant = await addVariant(app.db, request.params.storeId, request.params.productId, input);
      return trOf(request)('dashboard.products.sizeAdded', { name: variant.name });
    }),
  );

  app.post<{ Params: VariantParams }>('/products/:productId/variants/:variantId', csrf, async (request, reply) =>
    onEditForm(request, reply, `variant-${request.params.variantId}`, async (values) => {
      const { input, problems } = readVariantForm(values, currentStore(request).currency, { withStock: false });
      // The size's stock comes with its price (one Save); empty = not counted. Checked before anything is written.
      const stockText = field(values, 'stock', 20);
      const stock = stockText === undefined ? null : parseOptionalInteger(stockText, { min: 0, max: MAX_STOCK });
      if (stock && !stock.ok) problems.push({ code: 'invalid', path: '/stock', message: stock.message });
      assertBody(UpdateVariantBody, input, problems);
      const variant = await updateVariant(
        app.db,
        request.params.storeId,
        request.params.productId,
        request.params.variantId,
        input,
      );
      if (stock?.ok) await changeStock(app.db, request.params.storeId, variant.id, { set: stock.value });
      return variant.name === 'Default'
        ? trOf(request)('dashboard.products.priceSaved')
        : trOf(request)('dashboard.products.saved', { name: variant.name });
    }),
  );

  app.post<{ Params: VariantParams }>(
    '/products/:productId/variants/:variantId/archive',
    csrf,
    async (request, reply) => {
      const store = currentStore(request);
      const { productId, variantId } = request.params;
      try {
        await archiveVariant(app.db, store.id, productId, variantId);
        setFlash(request, reply, 'ok', trOf(request)('dashboard.products.sizeRemoved'));
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw err;
        setFlash(request, reply, 'error', pageProblem(request, err).summary);
      }
      return seeOther(reply, storePath(store.id, `/products/${productId}`));
    },
  );

  // ---- stock: `set` a count (empty: not tracked), or press a ±1 button (`adjust`) ----
  app.post<{ Params: { storeId: string; variantId: string } }>(
    '/variants/:variantId/stock',
    csrf,
    async (request, reply) => {
      const store = currentStore(request);
      const body = formBody(request);
      const back = safeReturnPath(field(body, 'return', 500), storePath(store.id, '/products'));
      const adjustText = field(body, 'adjust', 20);
      try {
        const parsed =
          adjustText !== undefined
            ? parseInteger(adjustText, { min: -MAX_STOCK, max: MAX_STOCK, signed: true })
            : parseOptionalInteger(field(body, 'set', 20), { min: 0, max: MAX_STOCK });
        if (!parsed.ok)
          throw validationFailed(
            `Stock: ${parsed.message}`,
            [{ code: 'invalid', path: '/set', message: parsed.message }],
            422,
          );
        const { stock } = await changeStock(
          app.db,
          store.id,
          request.params.variantId,
          adjustText !== undefined ? { adjust: parsed.value! } : { set: parsed.value },
        );
        const tr = trOf(request);
        setFlash(
          request,
          reply,
          'ok',
          stock === null ? tr('dashboard.stock.nowNotTracked') : tr('dashboard.stock.nowIs', { stock }),
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw err;
        setFlash(request, reply, 'error', pageProblem(request, err).summary);
      }
      return seeOther(reply, back);
    },
  );
};
