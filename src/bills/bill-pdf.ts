/**
 * The bill as a PDF (pdf-lib, pure JS): A4 or an 80 mm thermal roll. Text is drawn with Noto Sans (Latin, ₹)
 * and Noto Sans Devanagari (Hindi) from Debian's fonts-noto-core when installed, DejaVu Sans otherwise.
 *
 * Hindi is shaped by @pdf-lib/fontkit's Indic shaper (glyph substitution: conjuncts, vowel-sign reordering);
 * its mark positioning is simpler than a browser's, so the HTML bill (`/o/{token}/bill`) printed by the
 * browser remains the best-looking Hindi bill. Without fonts-noto-core, Hindi falls back to DejaVu (no
 * Devanagari glyphs) and, with no TrueType font at all, to Helvetica with "Rs." for ₹.
 */
import fs from 'node:fs';
// @pdf-lib/fontkit's Indic shaper (Hindi) uses generator code compiled for regenerator: give it the runtime.
import 'regenerator-runtime/runtime.js';
import fontkit from '@pdf-lib/fontkit';
import {
  beginText,
  endMarkedContent,
  endText,
  moveText,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFOperator,
  PDFOperatorNames,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setFillingColor,
  setFontAndSize,
  showText,
  StandardFonts,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import type { Bill } from './bill.js';

export type Paper = 'a4' | '80mm';

const FONT_DIRS = ['/usr/share/fonts/truetype/noto/', '/usr/share/fonts/truetype/dejavu/'];
const LATIN = ['NotoSans-Regular.ttf', 'DejaVuSans.ttf'];
const LATIN_BOLD = ['NotoSans-Bold.ttf', 'DejaVuSans-Bold.ttf'];
const DEVANAGARI = ['NotoSansDevanagari-Regular.ttf'];

function findFont(names: readonly string[]): Buffer | null {
  for (const name of names)
    for (const dir of FONT_DIRS) {
      const file = `${dir}${name}`;
      if (fs.existsSync(file)) return fs.readFileSync(file);
    }
  return null;
}

export interface Fonts {
  latin: PDFFont;
  bold: PDFFont;
  devanagari: PDFFont | null;
  /** Standard fonts only: text outside WinAnsi is replaced. */
  standard: boolean;
  /** Whether a font has a glyph for a code point (standard fonts: assumed). */
  has: (font: PDFFont, codePoint: number) => boolean;
}

export async function loadFonts(doc: PDFDocument): Promise<Fonts> {
  doc.registerFontkit(fontkit);
  const latin = findFont(LATIN);
  const bold = findFont(LATIN_BOLD);
  const deva = findFont(DEVANAGARI);
  if (!latin) {
    return {
      latin: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      devanagari: null,
      standard: true,
      has: () => true,
    };
  }
  // The same bytes parsed once more, to ask which characters each font has (pdf-lib does not say).
  const glyphs = new Map<PDFFont, (codePoint: number) => boolean>();
  const embed = async (bytes: Buffer) => {
    const font = await doc.embedFont(bytes, { subset: true });
    const parsed = fontkit.create(bytes);
    glyphs.set(font, (cp) => parsed.hasGlyphForCodePoint(cp));
    return font;
  };
  const latinFont = await embed(latin);
  return {
    latin: latinFont,
    bold: bold ? await embed(bold) : latinFont,
    devanagari: deva ? await embed(deva) : null,
    standard: false,
    has: (font, cp) => glyphs.get(font)?.(cp) ?? true,
  };
}

const DEVANAGARI_RE = /[\u0900-\u097f\u200c\u200d]/;

/** Splits text into runs of one script each, so each run is drawn with a font that has its glyphs. */
export function scriptRuns(text: string): { text: string; devanagari: boolean }[] {
  const runs: { text: string; devanagari: boolean }[] = [];
  for (const ch of text) {
    const deva = DEVANAGARI_RE.test(ch);
    const last = runs[runs.length - 1];
    // Spaces and punctuation stay with the run they are in.
    if (last && (last.devanagari === deva || /[\s.,:()#-]/.test(ch))) last.text += ch;
    else runs.push({ text: ch, devanagari: deva });
  }
  return runs;
}

/**
 * Splits a run drawn with `preferred` where that font has no glyph for a character and another of `fonts` has:
 * Noto Sans has no U+2212 minus sign (the bill's discount), Noto Sans Devanagari has one; a character no font has
 * stays with `preferred`. Spaces go with the run they are in.
 */
export function glyphRuns<F>(
  text: string,
  preferred: F,
  fonts: readonly F[],
  has: (font: F, codePoint: number) => boolean,
): { text: string; font: F }[] {
  const runs: { text: string; font: F }[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const last = runs[runs.length - 1];
    const font =
      /\s/.test(ch) && last ? last.font : has(preferred, cp) ? preferred : (fonts.find((f) => has(f, cp)) ?? preferred);
    if (last && last.font === font) last.text += ch;
    else runs.push({ text: ch, font });
  }
  return runs;
}

/** The runs `text` is drawn in: each with a font of its script that has its glyphs. */
export function textRuns(fonts: Fonts, text: string, bold: boolean): { text: string; font: PDFFont }[] {
  const clean = fonts.standard
    ? text
        .replace(/₹/g, 'Rs.')
        .replace(/\u2212/g, '-')
        .replace(/[^\x20-\x7e]/g, '?')
    : text;
  const all = [bold ? fonts.bold : fonts.latin, fonts.latin, ...(fonts.devanagari ? [fonts.devanagari] : [])];
  return scriptRuns(clean).flatMap((r) =>
    glyphRuns(
      r.text,
      r.devanagari && fonts.devanagari ? fonts.devanagari : bold ? fonts.bold : fonts.latin,
      all,
      fonts.has,
    ),
  );
}

const INK = rgb(0.1, 0.1, 0.1);

class Writer {
  /** The page's resource name of each font drawn by hand (hindi). */
  private readonly fontKeys = new Map<PDFFont, PDFName>();

  constructor(
    readonly page: PDFPage,
    readonly fonts: Fonts,
  ) {}

  private runs(text: string, bold: boolean) {
    return textRuns(this.fonts, text, bold);
  }

  width(text: string, size: number, bold = false): number {
    return this.runs(text, bold).reduce((w, r) => w + r.font.widthOfTextAtSize(r.text, size), 0);
  }

  text(text: string, x: number, y: number, size: number, opts: { bold?: boolean; align?: 'left' | 'right' } = {}) {
    let at = opts.align === 'right' ? x - this.width(text, size, opts.bold) : x;
    for (const r of this.runs(text, opts.bold ?? false)) {
      if (DEVANAGARI_RE.test(r.text)) this.hindi(r.text, r.font, at, y, size);
      else this.page.drawText(r.text, { x: at, y, size, font: r.font, color: INK });
      at += r.font.widthOfTextAtSize(r.text, size);
    }
  }

  /**
   * Shaped Hindi is drawn in visual order (the vowel sign ि before its consonant), so a reader copying or searching
   * the PDF would get "िकलो" for "किलो": the run carries its text as written (`/Span << /ActualText >> BDC … EMC`),
   * inside the text object, where the reader knows the font size to place it.
   */
  private hindi(text: string, font: PDFFont, x: number, y: number, size: number) {
    let key = this.fontKeys.get(font);
    if (!key) {
      key = this.page.node.newFontDictionary(font.name, font.ref);
      this.fontKeys.set(font, key);
    }
    // The property list inline, as written text (pdf-lib's operator arguments have no dictionary type).
    const span = `<< /ActualText ${PDFHexString.fromText(text).toString()} >>`;
    this.page.pushOperators(
      pushGraphicsState(),
      beginText(),
      setFillingColor(INK),
      setFontAndSize(key, size),
      moveText(x, y),
      PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [PDFName.of('Span'), span]),
      showText(font.encodeText(text)),
      endMarkedContent(),
      endText(),
      popGraphicsState(),
    );
  }

  /** Words of `text` in lines no wider than `max`. */
  wrap(text: string, size: number, max: number): string[] {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/)) {
      const next = line ? `${line} ${word}` : word;
      if (line && this.width(next, size) > max) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    if (line) lines.push(line);
    return lines.length ? lines : [''];
  }
}

/** Height of the 80 mm roll: as long as the bill needs. */
function rollHeight(bill: Bill): number {
  return 200 + (bill.lines.length * 2 + bill.totals.length + bill.customerLines.length + bill.storeLines.length) * 14;
}

export async function billPdf(bill: Bill, paper: Paper = 'a4'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(bill.title);
  doc.setLanguage(bill.lang === 'hi' ? 'hi-IN' : 'en-IN');
  doc.setCreator('dukaan');
  const fonts = await loadFonts(doc);
  const roll = paper === '80mm';
  const width = roll ? 226.77 : 595.28;
  const margin = roll ? 10 : 48;
  const size = roll ? 8 : 10;
  const step = size * 1.5;
  let page = doc.addPage([width, roll ? rollHeight(bill) : 841.89]);
  let w = new Writer(page, fonts);
  let y = page.getHeight() - margin - size;
  const right = width - margin;
  const newLine = (n = 1) => {
    y -= step * n;
    if (y < margin) {
      page = doc.addPage([width, roll ? rollHeight(bill) : 841.89]);
      w = new Writer(page, fonts);
      y = page.getHeight() - margin - size;
    }
  };

  w.text(bill.storeName, margin, y, size * 1.6, { bold: true });
  newLine(1.4);
  for (const line of bill.storeLines) {
    w.text(line, margin, y, size);
    newLine();
  }
  newLine(0.5);
  for (const m of bill.meta) {
    w.text(`${m.label}: ${m.value}`, margin, y, size);
    newLine();
  }
  newLine(0.5);
  for (const line of bill.customerLines) {
    w.text(line, margin, y, size);
    newLine();
  }
  newLine(0.5);

  // Columns: item | (hsn) | qty | rate | amount — amounts right-aligned.
  const amountX = right;
  const priceX = roll ? right - 62 : right - 100;
  const qtyX = roll ? priceX - 52 : priceX - 90;
  const hsnX = roll ? qtyX - 40 : qtyX - 80;
  const itemMax = (bill.showHsn && !roll ? hsnX : qtyX - 20) - margin;
  const header = bill.columns;
  w.text(header.item, margin, y, size, { bold: true });
  if (bill.showHsn && !roll) w.text(header.hsn, hsnX, y, size, { bold: true });
  w.text(header.qty, qtyX, y, size, { bold: true, align: 'right' });
  w.text(header.price, priceX, y, size, { bold: true, align: 'right' });
  w.text(header.amount, amountX, y, size, { bold: true, align: 'right' });
  page.drawLine({ start: { x: margin, y: y - 4 }, end: { x: right, y: y - 4 }, thickness: 0.5 });
  newLine();
  for (const line of bill.lines) {
    const itemText = roll && bill.showHsn && line.hsn ? `${line.item} · HSN ${line.hsn}` : line.item;
    const wrapped = w.wrap(itemText, size, itemMax);
    w.text(wrapped[0] ?? '', margin, y, size);
    if (bill.showHsn && !roll) w.text(line.hsn, hsnX, y, size);
    w.text(line.qty, qtyX, y, size, { align: 'right' });
    w.text(line.price, priceX, y, size, { align: 'right' });
    w.text(line.amount, amountX, y, size, { align: 'right' });
    newLine();
    for (const more of wrapped.slice(1)) {
      w.text(more, margin, y, size);
      newLine();
    }
  }
  page.drawLine({ start: { x: margin, y: y + step - 4 }, end: { x: right, y: y + step - 4 }, thickness: 0.5 });
  newLine(0.3);
  for (const total of bill.totals) {
    w.text(total.label, priceX - (roll ? 40 : 80), y, size, { bold: total.strong ?? false, align: 'right' });
    w.text(total.value, amountX, y, size, { bold: total.strong ?? false, align: 'right' });
    newLine();
  }
  newLine();
  w.text(bill.footer, margin, y, size);
  return doc.save();
}
