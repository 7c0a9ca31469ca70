import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { figure, grid, htmlReport, writeReport, formatNumber } from '../../lib/report';
import type { ReportOptions } from '../../lib/report';
import { all, parseMarkup, textOf, type MarkupNode } from '../helpers/markup';

type HNode = MarkupNode;
const parseHtml = (src: string): HNode => parseMarkup(src, 'html');

const tag = (root: HNode, name: string) => all(root, (n) => n.name === name);

// ---------------------------------------------------------------------------------------------

const nasty = `a<b & c>"d" 'e'`;

function sample(): ReportOptions {
  const a = figure({ width: 300, height: 200, title: 'loss' }).line([1, 10, 100], [1, 0.1, 0.01]).render();
  const b = figure({ width: 300, height: 200, title: 'raster' }).scatter([1, 2], [0, 1], { marker: 'tick' }).render();
  return {
    title: 'MNIST report',
    subtitle: '10 seeds',
    sections: [
      { heading: 'Test error', text: 'First paragraph.\n\nSecond paragraph.', figures: [a] },
      { heading: 'Panels', figures: [grid([a, b, a, b], 2)] },
      {
        heading: 'Results',
        table: {
          columns: ['metric', 'epoch 0', 'epoch 100'],
          rows: [
            ['acc', 0.104, 0.97612],
            ['acc_ord', 0.098, 0.973],
            ['steps', 0, 6000],
          ],
          caption: 'mean over seeds',
        },
      },
      { heading: 'Notes only', text: 'Nothing else here.' },
    ],
    footer: 'spikegrad',
  };
}

describe('htmlReport', () => {
  it('is a complete, self-contained, well-formed HTML5 document', () => {
    const html = htmlReport(sample());
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    const root = parseHtml(html);
    const htmlEl = tag(root, 'html');
    expect(htmlEl).toHaveLength(1);
    expect(tag(root, 'meta').some((m) => m.attrs.charset === 'utf-8')).toBe(true);
    expect(textOf(tag(root, 'title')[0])).toBe('MNIST report');
    expect(tag(root, 'style')).toHaveLength(1);
    // No scripts and nothing fetched from elsewhere.
    expect(html).not.toMatch(/<script|<link|<img|\ssrc=|href=|@import|url\(/i);
    // Figures scale with the page.
    expect(textOf(tag(root, 'style')[0])).toMatch(/svg\s*\{[^}]*max-width:\s*100%/);
  });

  it('contains every section, in order, with its text, figures and table', () => {
    const html = htmlReport(sample());
    const root = parseHtml(html);
    const sections = tag(root, 'section');
    expect(sections.map((s) => textOf(tag(s, 'h2')[0]))).toEqual(['Test error', 'Panels', 'Results', 'Notes only']);
    expect(tag(sections[0], 'p').map(textOf)).toEqual(['First paragraph.', 'Second paragraph.']);
    expect(tag(sections[0], 'svg').filter((s) => s.attrs.xmlns)).toHaveLength(1);
    expect(tag(sections[1], 'svg').filter((s) => s.attrs.xmlns)).toHaveLength(4);
    expect(all(sections[1], (n) => n.attrs.class === 'sg-letter').map(textOf)).toEqual(['(a)', '(b)', '(c)', '(d)']);
    expect(tag(sections[3], 'table')).toHaveLength(0);
    expect(textOf(tag(root, 'h1')[0])).toBe('MNIST report');
    expect(textOf(all(root, (n) => n.attrs.class === 'subtitle')[0])).toBe('10 seeds');
    expect(textOf(tag(root, 'footer')[0])).toBe('spikegrad');
  });

  it('renders tables with headings, one cell per column, and formatted, right-aligned numbers', () => {
    const root = parseHtml(htmlReport(sample()));
    const table = tag(root, 'table')[0];
    expect(tag(table, 'th').map(textOf)).toEqual(['metric', 'epoch 0', 'epoch 100']);
    const rows = tag(tag(table, 'tbody')[0], 'tr').map((r) => tag(r, 'td').map(textOf));
    expect(rows).toEqual([
      ['acc', '0.104', '0.9761'],
      ['acc_ord', '0.098', '0.973'],
      ['steps', '0', '6000'],
    ]);
    expect(tag(table, 'td').filter((c) => c.attrs.class === 'num')).toHaveLength(6);
    expect(textOf(tag(table, 'caption')[0])).toBe('mean over seeds');
  });

  it('honours the significant digits of a table', () => {
    const root = parseHtml(htmlReport({ title: 't', sections: [{ heading: 'h', table: { columns: ['x'], rows: [[Math.PI]], digits: 2 } }] }));
    expect(textOf(tag(root, 'td')[0])).toBe('3.1');
  });

  it("escapes <&>\"' in every piece of text", () => {
    const html = htmlReport({
      title: nasty,
      subtitle: nasty,
      sections: [{ heading: nasty, text: nasty, table: { columns: [nasty], rows: [[nasty]], caption: nasty } }],
      footer: nasty,
    });
    const root = parseHtml(html); // throws on any unescaped markup
    expect(textOf(tag(root, 'title')[0])).toBe(nasty);
    expect(textOf(tag(root, 'h1')[0])).toBe(nasty);
    expect(textOf(all(root, (n) => n.attrs.class === 'subtitle')[0])).toBe(nasty);
    expect(textOf(tag(root, 'h2')[0])).toBe(nasty);
    expect(textOf(tag(tag(root, 'section')[0], 'p')[0])).toBe(nasty);
    expect(textOf(tag(root, 'th')[0])).toBe(nasty);
    expect(textOf(tag(root, 'td')[0])).toBe(nasty);
    expect(textOf(tag(root, 'caption')[0])).toBe(nasty);
    expect(textOf(tag(root, 'footer')[0])).toBe(nasty);
    expect(html).not.toContain(nasty);
    expect(html.match(/a&lt;b &amp; c&gt;&quot;d&quot; &#39;e&#39;/g)).toHaveLength(9);
  });

  it('is deterministic', () => {
    expect(htmlReport(sample())).toBe(htmlReport(sample()));
  });

  it('rejects rows of the wrong length and malformed input with coded errors', () => {
    expect(() => htmlReport({ title: 't', sections: [{ heading: 'h', table: { columns: ['a', 'b'], rows: [[1]] } }] })).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE', message: expect.stringContaining('sections[0].table.rows[0]') }),
    );
    expect(() =>
      htmlReport({ title: 't', sections: [{ heading: 'h', table: { columns: ['a'], rows: [[null as unknown as number]] } }] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => htmlReport({ title: 1 as unknown as string, sections: [] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => htmlReport({ title: 't', sections: [{ heading: 'h', figures: [1 as unknown as string] }] })).toThrow(
      expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }),
    );
  });
});

describe('formatNumber', () => {
  it.each([
    [0.976123, 3, '0.976'],
    [0.1, 4, '0.1'],
    [2.31981, 4, '2.32'],
    [-2.31981, 4, '-2.32'],
    [10001, 3, '10001'],
    [0, 4, '0'],
    [-0, 4, '0'],
    [1.5e-7, 3, '1.5e-7'],
    [-1.5e-7, 3, '-1.5e-7'],
    [1234567.89, 4, '1.235e6'],
    [0.00012345, 3, '0.000123'],
    [9.99996e-5, 4, '0.0001'],
    [999999.7, 4, '1e6'],
    [123456.7, 4, '123500'],
    [NaN, 4, 'NaN'],
    [Infinity, 4, '∞'],
    [-Infinity, 4, '-∞'],
  ])('formatNumber(%p, %p) = %p', (x, digits, expected) => {
    expect(formatNumber(x, digits)).toBe(expected);
  });

  it('defaults to 4 significant digits and validates digits', () => {
    expect(formatNumber(Math.PI)).toBe('3.142');
    expect(() => formatNumber(1, 0)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => formatNumber('1' as unknown as number)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});

describe('writeReport', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spikegrad-report-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates missing folders, writes the document and leaves no temporary files', () => {
    const file = path.join(dir, 'a', 'b', 'report.html');
    const html = htmlReport(sample());
    writeReport(file, html);
    expect(fs.readFileSync(file, 'utf8')).toBe(html);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['report.html']);
  });

  it('replaces an existing report in place', () => {
    const file = path.join(dir, 'report.html');
    writeReport(file, 'old');
    writeReport(file, 'new ±τ');
    expect(fs.readFileSync(file, 'utf8')).toBe('new ±τ');
    expect(fs.readdirSync(dir)).toEqual(['report.html']);
  });

  it('removes its temporary file when the rename fails, and leaves the target untouched', () => {
    const target = path.join(dir, 'taken');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'x');
    expect(() => writeReport(target, '<html></html>')).toThrow();
    expect(fs.readdirSync(dir)).toEqual(['taken']);
    expect(fs.readdirSync(target)).toEqual(['keep.txt']);
  });

  it('rejects bad arguments', () => {
    expect(() => writeReport('', 'x')).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => writeReport(path.join(dir, 'x.html'), 5 as unknown as string)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});
