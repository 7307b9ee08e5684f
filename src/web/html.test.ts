import { describe, expect, it } from 'vitest';
import { attrs, escapeHtml, html, isHtml, join, raw, safeUrl } from './html.js';

const HOSTILE = `<img src=x onerror=alert(1)>`;

describe('html tagged template', () => {
  it('escapes every interpolation in text', () => {
    expect(html`<p>${HOSTILE}</p>`.value).toBe('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
  });

  it('escapes quotes, so an attribute value cannot break out', () => {
    const evil = `" onmouseover="alert(1)`;
    expect(html`<a title="${evil}">x</a>`.value).toBe('<a title="&quot; onmouseover=&quot;alert(1)">x</a>');
    expect(html`<a title='${"' onclick='x"}'>x</a>`.value).toBe(`<a title='&#39; onclick=&#39;x'>x</a>`);
    expect(html`<p>${'a & b ` c'}</p>`.value).toBe('<p>a &amp; b &#96; c</p>');
  });

  it('keeps nested html results as markup and escapes strings inside them', () => {
    const inner = html`<b>${HOSTILE}</b>`;
    expect(html`<p>${inner}</p>`.value).toBe('<p><b>&lt;img src=x onerror=alert(1)&gt;</b></p>');
  });

  it('renders arrays item by item, each escaped', () => {
    const items = ['<a>', html`<i>ok</i>`, 3];
    expect(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.value).toBe(
      '<ul><li>&lt;a&gt;</li><li><i>ok</i></li><li>3</li></ul>',
    );
    expect(html`${['<x>', ['<y>']]}`.value).toBe('&lt;x&gt;&lt;y&gt;');
  });

  it('renders null, undefined and false as nothing, but 0 and true as text', () => {
    expect(html`[${null}${undefined}${false}]`.value).toBe('[]');
    expect(html`[${0}|${true}|${12n}]`.value).toBe('[0|true|12]');
  });

  it('raw() passes trusted markup as is; a plain string that looks like Html does not', () => {
    expect(html`<div>${raw('<svg></svg>')}</div>`.value).toBe('<div><svg></svg></div>');
    const fake = { value: '<script>', toString: () => '<script>' } as unknown as string;
    expect(html`${fake}`.value).toBe('&lt;script&gt;');
    expect(isHtml(raw('x'))).toBe(true);
    expect(isHtml('x')).toBe(false);
  });

  it('join() escapes items and separator', () => {
    expect(join(['<a>', html`<b></b>`], ' & ').value).toBe('&lt;a&gt; &amp; <b></b>');
  });

  it('escapeHtml leaves clean text alone and escapes all five specials', () => {
    expect(escapeHtml('plain text ₹49')).toBe('plain text ₹49');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('attrs', () => {
  it('writes escaped values, bare booleans, and drops false/null/undefined', () => {
    expect(
      attrs({
        name: 'q',
        value: `"><script>`,
        required: true,
        disabled: false,
        min: 0,
        placeholder: undefined,
        title: null,
      }).value,
    ).toBe(' name="q" value="&quot;&gt;&lt;script&gt;" required min="0"');
  });

  it('refuses attribute names that are not program constants', () => {
    expect(() => attrs({ 'onclick="x"': 'y' })).toThrow(/invalid attribute name/);
  });
});

describe('safeUrl', () => {
  it('keeps http(s), site paths, upi, tel, mailto, fragments and queries', () => {
    for (const url of [
      'https://wa.me/91?text=hi',
      'http://x.test/',
      '/demo/cart',
      'upi://pay?pa=a@b',
      'tel:+91',
      'mailto:a@b.c',
      '#main',
      '?q=1',
    ]) {
      expect(safeUrl(url)).toBe(url);
    }
  });

  it('turns script-bearing and protocol-relative URLs into #', () => {
    for (const url of [
      'javascript:alert(1)',
      ' JaVaScRiPt:alert(1)',
      'data:text/html,<b>',
      'vbscript:x',
      '//evil.test/x',
      'evil.test',
    ]) {
      expect(safeUrl(url)).toBe('#');
    }
  });
});
