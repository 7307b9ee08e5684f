/**
 * Browser tests: Debian's chromium driven by playwright-core (which brings no browser of its own), against a
 * real dukaan server started in this process on a fresh embedded database.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../deploy/lib/proc.js';
import sharp from 'sharp';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from 'playwright-core';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/start.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts chromium; a machine without it fails the test (never skips): CI installs it in .ci/run. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Browser tests need chromium at ${CHROMIUM_PATH} and it is not there. ` +
        'Install it with "apt-get install chromium" ' +
        '(.ci/run does), or point CHROMIUM_PATH at a chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** A cheap Android phone: 360×740 CSS px at 2× (a 720p screen), touch, a low-end model's Chrome. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 11; SM-A022F) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/120.0.6099.144 Mobile Safari/537.36',
  locale: 'en-IN',
  timezoneId: 'Asia/Kolkata',
};

/** The owner at a laptop. */
export const DESKTOP: BrowserContextOptions = {
  viewport: { width: 1280, height: 860 },
  locale: 'en-IN',
  timezoneId: 'Asia/Kolkata',
};

/** A browser context whose waits allow for a CI machine busy with other test files (60 s, not Playwright's 30 s). */
export async function openContext(browser: Browser, options: BrowserContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(60_000);
  context.setDefaultNavigationTimeout(60_000);
  return context;
}

export interface BrowserServer {
  server: RunningServer;
  config: Config;
  /** `http://127.0.0.1:<port>`, also the server's PUBLIC_URL. */
  url: string;
  close(): Promise<void>;
}

/**
 * A real server (the same startServer `npm start` uses) on a free port, with embedded PostgreSQL and pictures in
 * a temporary DATA_DIR. `owners` maps phone (+E.164) → the fixed sign-in code (OTP_TEST_NUMBERS).
 */
export async function startBrowserServer(
  owners: Record<string, string>,
  opts: NonNullable<Parameters<typeof startServer>[1]> = {},
  /** more environment for the server's config (e.g. the WhatsApp Cloud API of a fake) */
  env: Record<string, string> = {},
): Promise<BrowserServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dukaan-browser-'));
  // The port must be known before start: PUBLIC_URL (links, QR codes, tracking URLs) is part of the config.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config: Config = {
    ...loadConfig({
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      OTP_TEST_NUMBERS: Object.entries(owners)
        .map(([phone, code]) => `${phone}:${code}`)
        .join(','),
      DUKAAN_DEMO: '0',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    demo: false,
  };
  const server = await startServer(config, opts);
  return {
    server,
    config,
    url,
    async close() {
      await server.close(2_000);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a page did that it should not: dialogs (alert from injected markup), script errors, console errors. */
export interface PageWatch {
  dialogs: string[];
  errors: string[];
}

/** Records (and dismisses) every dialog, uncaught script error and console error of the page. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { dialogs: [], errors: [] };
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()} (at ${page.url()})`);
    dialog.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (err) => watch.errors.push(`script error at ${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.errors.push(`console error at ${page.url()}: ${msg.text()}`);
  });
  return watch;
}

export const RESULTS_DIR = path.resolve('test-results/browser');

async function savePicture(page: Page, dir: string, name: string, fullPage: boolean): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/**
 * A picture that illustrates docs/: written to docs/NAME.png only when DUKAAN_DOCS_SCREENSHOTS=1 (re-making the
 * docs' pictures on purpose), else to the test results, so a test run leaves the repository's files as they were.
 */
export const docsScreenshot = (page: Page, name: string): Promise<string> =>
  savePicture(page, process.env.DUKAAN_DOCS_SCREENSHOTS === '1' ? path.resolve('docs') : RESULTS_DIR, name, false);

/** A full-page screenshot under test-results/browser/ (git-ignored), for a person to look at. */
export const screenshot = (page: Page, name: string): Promise<string> => savePicture(page, RESULTS_DIR, name, true);

/** A PNG photo stand-in (a coloured square with a lighter band) written to a temp file, for setInputFiles. */
export async function pngFile(
  name: string,
  opts: { size?: number; color?: string; label?: string } = {},
): Promise<string> {
  const size = opts.size ?? 640;
  const color = opts.color ?? '#c8862a';
  const label = (opts.label ?? '').replace(/[<>&"']/g, '');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}">
<rect width="100%" height="100%" fill="${color}"/>
<circle cx="${size / 2}" cy="${size * 0.44}" r="${size * 0.28}" fill="#ffffff" fill-opacity="0.28"/>
<text x="50%" y="${size * 0.86}" font-family="sans-serif" font-size="\
${Math.round(size / 9)}" font-weight="bold" fill="#ffffff" text-anchor="middle">${label}</text>
</svg>`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dukaan-png-'));
  const file = path.join(dir, `${name}.png`);
  await writeFile(file, await sharp(Buffer.from(svg)).png().toBuffer());
  return file;
}

/** The page's width in CSS px beyond the viewport (0 = nothing sticks out sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth,
  );
}

/** Elements wider than the viewport or reaching past its right edge, described for a report. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const width = window.innerWidth;
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 0.5) continue;
      const parent = el.parentElement?.getBoundingClientRect();
      // Only the outermost culprit: its parent still fits.
      if (parent && parent.right > width + 0.5) continue;
      const id = el.id ? `#${el.id}` : '';
      const cls = el.getAttribute('class') ? `.${el.getAttribute('class')!.trim().split(/\s+/).join('.')}` : '';
      const testid = el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : '';
      out.push(
        `${el.tagName.toLowerCase()}${id}${cls}${testid} right=${Math.round(r.right)} width=${Math.round(r.width)}`,
      );
    }
    return out;
  });
}

/** Taps on a touch phone, clicks elsewhere: the way a person on that device presses a button. */
export async function press(target: Locator, touch: boolean): Promise<void> {
  if (touch) await target.tap();
  else await target.click();
}

/** Waits until the picture has scrolled into view and decoded; returns its natural width (0 = broken). */
export async function pictureWidth(img: Locator): Promise<number> {
  await img.scrollIntoViewIfNeeded();
  return img.evaluate(async (el) => {
    const image = el as HTMLImageElement;
    if (!image.complete) {
      await new Promise((resolve) => {
        image.addEventListener('load', resolve, { once: true });
        image.addEventListener('error', resolve, { once: true });
      });
    }
    return image.naturalWidth;
  });
}

/** The visible text of an element, once it is visible. */
export async function textOf(target: Locator): Promise<string> {
  await target.waitFor({ state: 'visible' });
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user sees
  return (await target.innerText()).trim();
}

/**
 * A customer's cash-on-delivery order of `quantity` × one variant, placed through the storefront API (for tests of
 * the owner's side, where the customer's pages are not what is under test).
 */
export async function placeStorefrontOrder(
  server: { url: string },
  slug: string,
  variantId: string,
  { quantity = 2, name = 'Asha', phone = '+919811122233' } = {},
): Promise<{ id: string; number: number }> {
  const api = (p: string, method: string, body?: unknown) =>
    fetch(`${server.url}/api/v1/storefront/${slug}${p}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const cart = await api('/carts', 'POST');
  await api(`/carts/${String(cart.id)}/lines/${variantId}`, 'PUT', { quantity });
  const order = await api(`/carts/${String(cart.id)}/checkout`, 'POST', {
    customer: { name, phone, address: { line1: '1 MG Road', city: 'Pune', pincode: '411001' } },
    paymentMethod: 'cod',
  });
  if (!order.id) throw new Error(`checkout failed: ${JSON.stringify(order)}`);
  return { id: String(order.id), number: Number(order.number) };
}
