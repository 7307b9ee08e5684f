import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../shared/errors.js';
import {
  detectImageType,
  imageSources,
  imagesDir,
  mediaFilePath,
  parseMediaUrl,
  scaledSize,
  storeImage,
} from './images.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'dukaan-media-'));
});
afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

const picture = (width: number, height: number, format: 'png' | 'jpeg' | 'webp' = 'png') =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 20 } } })
    [format]()
    .toBuffer();

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('scaledSize', () => {
  it('scales down keeping the aspect ratio, never up', () => {
    expect(scaledSize(3000, 2000, 1200)).toEqual({ width: 1200, height: 800 });
    expect(scaledSize(3000, 2000, 400)).toEqual({ width: 400, height: 267 });
    expect(scaledSize(300, 200, 400)).toEqual({ width: 300, height: 200 });
    expect(scaledSize(10_000, 1, 400)).toEqual({ width: 400, height: 1 });
  });
});

describe('detectImageType', () => {
  it('knows JPEG, PNG and WebP by content', async () => {
    expect(await detectImageType(await picture(8, 8, 'png'))).toBe('image/png');
    expect(await detectImageType(await picture(8, 8, 'jpeg'))).toBe('image/jpeg');
    expect(await detectImageType(await picture(8, 8, 'webp'))).toBe('image/webp');
  });
  it('refuses everything else', async () => {
    expect(await detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toBeNull();
    expect(await detectImageType(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toBeNull();
    expect(await detectImageType(Buffer.from('%PDF-1.4 hello'))).toBeNull();
    expect(await detectImageType(Buffer.alloc(0))).toBeNull();
  });
});

describe('storeImage', () => {
  it('writes a large and a small WebP with the size in the name', async () => {
    const stored = await storeImage(dataDir, await picture(1600, 1000, 'jpeg'));
    expect(stored.url).toMatch(/^\/media\/[0-9a-f]{32}-1200x750\.webp$/);
    expect(stored).toMatchObject({ width: 1200, height: 750 });
    expect(stored.files.map((f) => [f.width, f.height])).toEqual([
      [1200, 750],
      [400, 250],
    ]);
    for (const file of stored.files) {
      const meta = await sharp(path.join(imagesDir(dataDir), file.name)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', file.width, file.height]);
    }
  });

  it('does not enlarge a small picture and writes one file', async () => {
    const stored = await storeImage(dataDir, await picture(300, 120));
    expect(stored.files).toHaveLength(1);
    expect(stored).toMatchObject({ width: 300, height: 120 });
  });

  it('turns a photo upright by its EXIF orientation', async () => {
    const sideways = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#123456' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const stored = await storeImage(dataDir, sideways);
    expect(stored).toMatchObject({ width: 600, height: 800 });
    const meta = await sharp(path.join(imagesDir(dataDir), stored.files[0]!.name)).metadata();
    expect([meta.width, meta.height]).toEqual([600, 800]);
  });

  it(
    'refuses a non-image with 415, a damaged image with 422, an ' + 'empty file with 400, a huge one with 413',
    async () => {
      expect((await errorOf(storeImage(dataDir, Buffer.from('just text, not a picture')))).status).toBe(415);
      const png = await picture(64, 64);
      const damaged = Buffer.concat([png.subarray(0, 60), Buffer.alloc(200, 7)]);
      const err = await errorOf(storeImage(dataDir, damaged));
      expect([err.status, err.code]).toEqual([422, 'validation_failed']);
      expect((await errorOf(storeImage(dataDir, Buffer.alloc(0)))).status).toBe(400);
      expect((await errorOf(storeImage(dataDir, Buffer.alloc(5 * 1024 * 1024 + 1)))).status).toBe(413);
    },
  );
});

describe('imageSources and names', () => {
  it('gives src, srcset, width and height for a stored URL', () => {
    const id = 'a'.repeat(32);
    expect(imageSources(`/media/${id}-1200x750.webp`)).toEqual({
      src: `/media/${id}-400x250.webp`,
      srcset: `/media/${id}-400x250.webp 400w, /media/${id}-1200x750.webp 1200w`,
      width: 1200,
      height: 750,
    });
    expect(imageSources(`/media/${id}-300x120.webp`)).toEqual({
      src: `/media/${id}-300x120.webp`,
      srcset: `/media/${id}-300x120.webp 300w`,
      width: 300,
      height: 120,
    });
  });

  it('passes other URLs through as they are', () => {
    expect(imageSources('https://cdn.example/p.jpg')).toEqual({ src: 'https://cdn.example/p.jpg' });
    expect(imageSources('/media/../../etc/passwd')).toEqual({ src: '/media/../../etc/passwd' });
  });

  it('maps only well-formed names to files', () => {
    const id = 'b'.repeat(32);
    expect(parseMediaUrl(`/media/${id}-10x20.webp`)).toEqual({ id, width: 10, height: 20 });
    expect(mediaFilePath(dataDir, `${id}-10x20.webp`)).toBe(path.join(imagesDir(dataDir), `${id}-10x20.webp`));
    for (const bad of [
      '../x.webp',
      `${id}-10x20.png`,
      `${id.toUpperCase()}-10x20.webp`,
      `${id}-0x20.webp`,
      `.${id}-10x20.webp.1.tmp`,
      '',
    ]) {
      expect(mediaFilePath(dataDir, bad)).toBeNull();
    }
  });
});
