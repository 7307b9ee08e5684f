/**
 * Product images: an upload is recognised by its content (never by its name or declared type), decoded with
 * sharp, turned upright, and written as WebP in two widths. Names are random and carry the pixel size, so a
 * page can render `<img srcset width height>` from the stored URL alone, without a database or disk read.
 *
 *   /media/<32 hex>-<w>x<h>.webp     one file per size; the product keeps the URL of the large one
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, validationFailed } from '../shared/errors.js';

export const LARGE_WIDTH = 1200;
export const SMALL_WIDTH = 400;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Decoding a bigger picture would cost hundreds of MB; no phone photo comes near it (50 MP). */
export const MAX_INPUT_PIXELS = 50_000_000;
export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type AcceptedImageType = (typeof ACCEPTED_IMAGE_TYPES)[number];

export const MEDIA_PATH = '/media';
export const MEDIA_NAME_RE = /^([0-9a-f]{32})-([1-9][0-9]{0,4})x([1-9][0-9]{0,4})\.webp$/;

export interface StoredImage {
  /** URL of the large file; what a product's `images` keeps. */
  url: string;
  width: number;
  height: number;
  /** Every file written, large first. */
  files: { name: string; width: number; height: number }[];
}

export interface ImageSources {
  src: string;
  /** Undefined for images that are not ours (an external URL): they come in one size. */
  srcset?: string;
  width?: number;
  height?: number;
}

export function imagesDir(dataDir: string): string {
  return path.join(dataDir, 'uploads', 'images');
}

/** The size of an image `width` wide scaled to `targetWidth` (never enlarged), keeping its aspect ratio. */
export function scaledSize(width: number, height: number, targetWidth: number): { width: number; height: number } {
  if (width <= targetWidth) return { width, height };
  return { width: targetWidth, height: Math.max(1, Math.round((height * targetWidth) / width)) };
}

export function mediaFileName(id: string, width: number, height: number): string {
  return `${id}-${width}x${height}.webp`;
}

/** The bytes' real type when it is one we take; null otherwise. */
export async function detectImageType(bytes: Uint8Array): Promise<AcceptedImageType | null> {
  // file-type and sharp are loaded on the first upload, not with the app: they are large (sharp maps libvips)
  // and a worker that only serves pages and the API never needs them.
  const { fileTypeFromBuffer } = await import('file-type');
  const type = await fileTypeFromBuffer(bytes);
  return type && (ACCEPTED_IMAGE_TYPES as readonly string[]).includes(type.mime)
    ? (type.mime as AcceptedImageType)
    : null;
}

const unsupported = () =>
  new AppError('unsupported_media_type', 'Upload a JPEG, PNG or WebP image', [
    { code: 'unsupported_type', path: '/file', message: 'must be a JPEG, PNG or WebP image' },
  ]);
const unreadable = () =>
  validationFailed(
    'The image cannot be read; it may be damaged',
    [{ code: 'invalid', path: '/file', message: 'cannot be decoded as an image' }],
    422,
  );

/**
 * Checks, decodes and writes an uploaded image. 415 unsupported_media_type for anything but JPEG/PNG/WebP by
 * content, 413 for more than 5 MB, 422 validation_failed for a file that claims to be an image but cannot be decoded.
 */
export async function storeImage(dataDir: string, bytes: Buffer): Promise<StoredImage> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new AppError('payload_too_large', 'The image is larger than 5 MB');
  if (bytes.length === 0)
    throw validationFailed('The file is empty', [{ code: 'required', path: '/file', message: 'is empty' }]);
  if (!(await detectImageType(bytes))) throw unsupported();

  const { default: sharp } = await import('sharp');
  const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error', pages: 1 });
  let upright: { width: number; height: number };
  try {
    const meta = await input().metadata();
    if (!meta.width || !meta.height) throw unreadable();
    // EXIF orientations 5..8 are rotated by a quarter turn: width and height trade places once upright.
    const turned = (meta.orientation ?? 1) >= 5;
    upright = turned ? { width: meta.height, height: meta.width } : { width: meta.width, height: meta.height };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw unreadable();
  }

  const id = randomBytes(16).toString('hex');
  const sizes = [
    scaledSize(upright.width, upright.height, LARGE_WIDTH),
    scaledSize(upright.width, upright.height, SMALL_WIDTH),
  ];
  const unique = sizes.filter((s, i) => i === 0 || s.width !== sizes[0]!.width);
  const dir = imagesDir(dataDir);
  await fs.mkdir(dir, { recursive: true });
  const files: StoredImage['files'] = [];
  try {
    for (const size of unique) {
      // Resized to the exact size the name promises (the rounding is ours, not the encoder's).
      const webp = await input()
        .rotate()
        .resize(size.width, size.height, { fit: 'fill' })
        .webp({ quality: 80, effort: 4 })
        .toBuffer()
        .catch(() => {
          throw unreadable();
        });
      const name = mediaFileName(id, size.width, size.height);
      // Written aside, then renamed: a reader never sees half a file under the real name.
      const tmp = path.join(dir, `.${name}.${process.pid}.tmp`);
      await fs.writeFile(tmp, webp, { flag: 'wx' });
      await fs.rename(tmp, path.join(dir, name));
      files.push({ name, ...size });
    }
  } catch (err) {
    await Promise.all(files.map((f) => fs.rm(path.join(dir, f.name), { force: true })));
    throw err;
  }
  const large = files[0]!;
  return { url: `${MEDIA_PATH}/${large.name}`, width: large.width, height: large.height, files };
}

/** `/media/<name>` → the parsed name, or null when the URL is not one of our stored images. */
export function parseMediaUrl(url: string): { id: string; width: number; height: number } | null {
  if (!url.startsWith(`${MEDIA_PATH}/`)) return null;
  const m = MEDIA_NAME_RE.exec(url.slice(MEDIA_PATH.length + 1));
  return m ? { id: m[1]!, width: Number(m[2]), height: Number(m[3]) } : null;
}

/**
 * What an `<img>` needs for a stored image URL: `src` (the small file, so a browser without srcset loads little),
 * `srcset` with both widths, and the intrinsic `width`/`height` that reserve the space before it loads.
 * A URL that is not ours (an external http(s) image) comes back as `{ src: url }`.
 */
export function imageSources(url: string): ImageSources {
  const parsed = parseMediaUrl(url);
  if (!parsed) return { src: url };
  const small = scaledSize(parsed.width, parsed.height, SMALL_WIDTH);
  const smallUrl = `${MEDIA_PATH}/${mediaFileName(parsed.id, small.width, small.height)}`;
  if (small.width === parsed.width)
    return { src: url, srcset: `${url} ${parsed.width}w`, width: parsed.width, height: parsed.height };
  return {
    src: smallUrl,
    srcset: `${smallUrl} ${small.width}w, ${url} ${parsed.width}w`,
    width: parsed.width,
    height: parsed.height,
  };
}

/** The file behind a media name, or null when the name is not one we would ever write. */
export function mediaFilePath(dataDir: string, name: string): string | null {
  return MEDIA_NAME_RE.test(name) ? path.join(imagesDir(dataDir), name) : null;
}

/**
 * Deletes the files of a stored image (both sizes), e.g. when the product it was uploaded for could not be
 * saved. A URL that is not ours, or files already gone, are ignored.
 */
export async function removeStoredImage(dataDir: string, url: string): Promise<void> {
  const parsed = parseMediaUrl(url);
  if (!parsed) return;
  const sizes = [parsed, scaledSize(parsed.width, parsed.height, SMALL_WIDTH)];
  await Promise.all(
    sizes.map((s) =>
      fs.rm(path.join(imagesDir(dataDir), mediaFileName(parsed.id, s.width, s.height)), { force: true }),
    ),
  );
}
