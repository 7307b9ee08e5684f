/**
 * Product images as responsive `<img>`s, from what a product's `images` holds. The naming convention
 * (`/media/<id>-<w>x<h>.webp`, large file kept on the product, small one beside it) belongs to src/media;
 * `imageSources` there turns one stored URL into src/srcset/width/height without any I/O.
 */
import { imageSources } from '../media/images.js';
import { attrs, html, safeUrl, type Html } from './html.js';

export interface ImageOptions {
  alt: string;
  /** The `sizes` attribute: how wide the image is drawn. Default: the two-to-four column product grid. */
  sizes?: string;
  className?: string;
  /** The first image of a product page is drawn at once; everything else waits until scrolled near. */
  eager?: boolean;
}

const GRID_SIZES = '(min-width: 56rem) 14rem, (min-width: 40rem) 33vw, 50vw';

/** `<img>` with width/height (no layout shift), lazy loading, and srcset when both WebP sizes exist. */
export function productImage(url: string, opts: ImageOptions): Html {
  const sources = imageSources(url);
  const src = safeUrl(sources.src);
  if (src === '#') return html``;
  return html`<img${attrs({
    src,
    srcset: sources.srcset,
    sizes: sources.srcset ? (opts.sizes ?? GRID_SIZES) : undefined,
    alt: opts.alt,
    // External images have no known size: a square box (CSS crops with object-fit) keeps the layout still.
    width: sources.width ?? 400,
    height: sources.height ?? 400,
    loading: opts.eager ? undefined : 'lazy',
    decoding: 'async',
    class: opts.className,
  })}>`;
}

/** An absolute URL of the large image (WhatsApp fetches previews from its own servers). */
export function absoluteImageUrl(url: string, origin: string): string | undefined {
  const safe = safeUrl(url);
  if (safe === '#' || safe.startsWith('#') || safe.startsWith('?')) return undefined;
  return safe.startsWith('/') ? `${origin.replace(/\/$/, '')}${safe}` : safe;
}
