/**
 * The page shell every server-rendered page uses, and the one way pages are sent (`sendPage`): HTML content
 * type, a strict Content-Security-Policy (no inline script or style; nothing from another origin except
 * https images a merchant linked), no caching by shared caches, gzip when the client takes it.
 */
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assets } from './assets.js';
import { attrs, html, type Html } from './html.js';

/** Strict CSP for pages: scripts and styles only from our own hashed files. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Merchants may link product images on other https hosts; images never run code.
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "manifest-src 'self'",
].join('; ');

export interface OpenGraph {
  title: string;
  description?: string;
  /** Absolute URL (WhatsApp fetches it from its own servers). */
  image?: string;
  /** Absolute canonical URL of the page. */
  url?: string;
  type?: 'website' | 'product';
  siteName?: string;
  /** For products: "49.99" (major units, exact) and "INR". */
  price?: { amount: string; currency: string };
}

export type FlashKind = 'ok' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  text: string;
}

export interface LayoutOptions {
  title: string;
  description?: string;
  og?: OpenGraph;
  /** Contents of `<header class="site-header"><div class="wrap">…</div></header>`; omitted → no header. */
  header?: Html;
  main: Html;
  /** Contents of the footer's wrapper; omitted → a one-line "made with dukaan". */
  footer?: Html;
  flash?: Flash | null;
  lang?: string;
  /** Keep the page out of search engines (orders, carts, dashboard). */
  noindex?: boolean;
  /** `<body data-page="…">`: a stable hook for browser tests. */
  pageId?: string;
  /** The skip link's words in the page language (default English). */
  skipLabel?: string;
  /** More of `<head>` (the dashboard's manifest link). */
  head?: Html;
}

function openGraphTags(og: OpenGraph): Html {
  const image = og.image;
  return html`
<meta property="og:title" content="${og.title}">
<meta property="og:type" content="${og.type ?? 'website'}">${
    og.url
      ? html`
<meta property="og:url" content="${og.url}">`
      : ''
  }${
    og.siteName
      ? html`
<meta property="og:site_name" content="${og.siteName}">`
      : ''
  }${
    og.description
      ? html`
<meta property="og:description" content="${og.description}">`
      : ''
  }${
    image
      ? html`
<meta property="og:image" content="${image}">`
      : ''
  }${
    og.price
      ? html`
<meta property="product:price:amount" content="${og.price.amount}">
<meta property="product:price:currency" content="${og.price.currency}">
<meta property="og:price:amount" content="${og.price.amount}">
<meta property="og:price:currency" content="${og.price.currency}">`
      : ''
  }
<meta name="twitter:card" content="${image ? 'summary_large_image' : 'summary'}">
<meta name="twitter:title" content="${og.title}">${
    og.description
      ? html`
<meta name="twitter:description" content="${og.description}">`
      : ''
  }${
    image
      ? html`
<meta name="twitter:image" content="${image}">`
      : ''
  }`;
}

export function flashMessage(flash: Flash | null | undefined): Html {
  if (!flash) return html``;
  return html`<div class="flash \
${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}" data-testid="flash">${flash.text}</div>`;
}

/** The whole document. Every value is escaped by `html`. */
export function layout(opts: LayoutOptions): Html {
  const { css, js } = assets();
  return html`<!doctype html>
<html lang="${opts.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${opts.title}</title>${
    opts.description
      ? html`
<meta name="description" content="${opts.description}">`
      : ''
  }${
    opts.noindex
      ? html`
<meta name="robots" content="noindex">`
      : ''
  }
<meta name="theme-color" content="#0b6e4f">
<meta name="referrer" content="strict-origin-when-cross-origin">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${css.url}">
<script src="${js.url}" defer></script>${opts.head ?? ''}${opts.og ? openGraphTags(opts.og) : ''}
</head>
<body${attrs({ 'data-page': opts.pageId })}>
<a class="skip" href="#main">${opts.skipLabel ?? 'Skip to content'}</a>${
    opts.header
      ? html`
<header class="site-header"><div class="wrap">${opts.header}</div></header>`
      : ''
  }
<main id="main" class="wrap" tabindex="-1">${flashMessage(opts.flash)}${opts.main}</main>
<footer class="site-footer"><div class="wrap">${opts.footer ?? html`<p>Made with dukaan</p>`}</div></footer>
</body>
</html>`;
}

export interface SendPageOptions {
  status?: number;
  /** Default `private, no-cache` (pages show a customer's own cart); orders use `no-store`. */
  cacheControl?: string;
}

/** Sends a page or a fragment as HTML with the page security headers. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: Html,
  opts: SendPageOptions = {},
): FastifyReply {
  reply
    .code(opts.status ?? 200)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', PAGE_CSP)
    .header('cache-control', opts.cacheControl ?? 'private, no-cache')
    .header('vary', 'accept-encoding, accept-language, cookie');
  const body = Buffer.from(page.value, 'utf8');
  const accepts = request.headers['accept-encoding'];
  if (body.length > 1024 && typeof accepts === 'string' && /\bgzip\b/.test(accepts)) {
    return reply.header('content-encoding', 'gzip').send(gzipSync(body, { level: 6 }));
  }
  return reply.send(body);
}
