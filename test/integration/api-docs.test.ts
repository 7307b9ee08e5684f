/**
 * docs/api.md and the served OpenAPI document tell the same story: every /api/v1 operation the server answers is
 * documented, every documented one is served, each has a summary and a description, pages stay out of it, and no
 * document in the repository points outside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { appTest } from '../helpers/fixture.js';

const it = appTest();

const root = path.resolve(import.meta.dirname, '../..');
const docsText = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  summary?: string;
  description?: string;
  requestBody?: { required?: boolean; content: Record<string, { schema?: Record<string, unknown> }> };
  parameters?: { in: string; name: string; required?: boolean; schema?: { default?: unknown } }[];
}
interface OpenApi {
  info: { description?: string };
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
}

/** `GET /api/v1/stores/{storeId}/x` → `GET /api/v1/stores/{}/x`: parameter names may differ between the two. */
const key = (method: string, p: string) => `${method.toUpperCase()} ${p.replace(/\{[^}]*\}/g, '{}')}`;

/** Operations written in docs/api.md as `METHOD /api/v1/...` inside backticks, split at "## Not served yet". */
function documented(): { served: Map<string, string>; planned: Map<string, string> } {
  const cut = docsText.indexOf('\n## Not served yet');
  const parts = {
    served: docsText.slice(0, cut === -1 ? undefined : cut),
    planned: cut === -1 ? '' : docsText.slice(cut),
  };
  const pick = (text: string) => {
    const found = new Map<string, string>();
    for (const m of text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/api\/v1\/[^`\s?]*)/g))
      found.set(key(m[1]!, m[2]!), `${m[1]} ${m[2]}`);
    return found;
  };
  return { served: pick(parts.served), planned: pick(parts.planned) };
}
let spec: OpenApi;
it.beforeAll(async ({ ctx }) => {
  const res = await ctx.app.inject('/api/v1/openapi.json');
  expect(res.statusCode).toBe(200);
  spec = res.json() as OpenApi;
});

function servedOperations(): Map<string, { name: string; op: Operation }> {
  const ops = new Map<string, { name: string; op: Operation }>();
  for (const [p, item] of Object.entries(spec.paths))
    for (const method of METHODS) {
      const op = item[method];
      if (op) ops.set(key(method, p), { name: `${method.toUpperCase()} ${p}`, op });
    }
  return ops;
}

describe('docs/api.md ⇄ /api/v1/openapi.json', () => {
  it('documents every served /api/v1 operation (outside "Not served yet")', () => {
    const { served, planned } = documented();
    const missing = [...servedOperations()]
      .filter(([k]) => k.includes(' /api/v1/') && !served.has(k))
      .map(([k, { name }]) =>
        planned.has(k)
          ? `${name} is served now: move it from "Not served yet" into its section of docs/api.md`
          : `${name} is served but missing from docs/api.md: add a line \`${name}\` with what it takes and answers`,
      );
    expect(missing).toEqual([]);
  });

  it('serves every operation docs/api.md documents', () => {
    const ops = servedOperations();
    const unserved = [...documented().served]
      .filter(([k]) => !ops.has(k))
      .map(([, name]) => `${name} is in docs/api.md but not served (or hidden from the OpenAPI document)`);
    expect(unserved).toEqual([]);
    expect(documented().served.size).toBeGreaterThanOrEqual(50);
  });

  it('gives every API operation a summary and a description', () => {
    const bare = [...servedOperations().values()]
      .filter(({ op }) => !op.summary?.trim() || !op.description?.trim())
      .map(({ name }) => `${name} has no summary or description (add it to OPERATION_DOCS in src/server/openapi.ts)`);
    expect(bare).toEqual([]);
  });

  it('lists API operations only: no pages, form posts or media files', () => {
    expect(Object.keys(spec.paths).filter((p) => !p.startsWith('/api/'))).toEqual([]);
  });

  it('never marks a query parameter required when it has a default (limit)', () => {
    const wrong: string[] = [];
    for (const { name, op } of servedOperations().values())
      for (const p of op.parameters ?? [])
        if (p.in === 'query' && p.required && p.schema?.default !== undefined) wrong.push(`${name} ?${p.name}`);
    expect(wrong).toEqual([]);
    const list = spec.paths['/api/v1/stores/{storeId}/products']?.get;
    const limit = list?.parameters?.find((p) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', schema: { default: 20 } });
    expect(limit?.required).not.toBe(true);
  });

  it('describes the product import body: text/csv, or multipart/form-data with one `file`', () => {
    const op = spec.paths['/api/v1/stores/{storeId}/products/import']?.post;
    expect(op?.requestBody?.required).toBe(true);
    expect(Object.keys(op?.requestBody?.content ?? {}).sort()).toEqual(['multipart/form-data', 'text/csv']);
    expect(op?.requestBody?.content['text/csv']?.schema).toMatchObject({ type: 'string' });
    expect(op?.requestBody?.content['multipart/form-data']?.schema).toMatchObject({
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' } },
    });
    expect(op?.parameters?.find((p) => p.name === 'dryRun')).toMatchObject({ in: 'query' });
    expect(op?.summary).toBe('Import products from CSV');
  });

  it('describes every upload’s multipart body with its binary `file` (payment proof, product image)', () => {
    for (const path of ['/api/v1/orders/{trackingToken}/payment-proof', '/api/v1/stores/{storeId}/images']) {
      const op = spec.paths[path]?.post;
      expect(Object.keys(op?.requestBody?.content ?? {}), path).toEqual(['multipart/form-data']);
      expect(op?.requestBody?.content['multipart/form-data']?.schema, path).toMatchObject({
        type: 'object',
        properties: { file: { type: 'string', format: 'binary' } },
      });
    }
    const proof = spec.paths['/api/v1/orders/{trackingToken}/payment-proof']?.post;
    expect(proof?.requestBody?.content['multipart/form-data']?.schema).toMatchObject({
      properties: { reference: { type: 'string', pattern: '^[0-9]{12}$' } },
    });
  });

  it('points nowhere outside the repository', () => {
    expect(spec.info.description).toContain('docs/api.md');
    const files = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
      f.endsWith('.md'),
    );
    const outside = files.flatMap((f) =>
      fs
        .readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\.\.\/shared\/|\/work\/|(^|[\s`(])shared\/(api|seed)/.test(line) ? [`${f}:${i + 1}`] : [],
        ),
    );
    expect(outside).toEqual([]);
    expect(JSON.stringify(spec)).not.toMatch(/shared\/api|shared\/seed/);
  });
});
