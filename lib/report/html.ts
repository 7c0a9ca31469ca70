/**
 * Self-contained HTML reports: one HTML5 document with inline CSS, inline SVG figures and tables
 * of numbers. No scripts and no external resources, so a report opens anywhere, offline.
 *
 * @example
 * ```ts
 * import { figure, htmlReport, writeReport } from 'spikegrad';
 * const svg = figure({ width: 480, height: 320 }).line([0, 1], [1, 0]).render();
 * writeReport('reports/demo.html', htmlReport({ title: 'Demo', sections: [{ heading: 'Loss', figures: [svg] }] }));
 * ```
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { argumentError, rangeError } from '../base/errors';
import { expectKnownKeys, optionNames, readOptions } from '../base/validate';
import { writeFileAtomic } from '../base/files';
import { escapeXml } from './svg';

/**
 * A table of numbers and text; numbers are printed with {@link formatNumber}.
 *
 * @example
 * ```ts
 * const t: ReportTable = { columns: ['metric', 'value'], rows: [['acc', 0.976]], digits: 3 };
 * ```
 */
export interface ReportTable {
  /** Column headings. */
  columns: readonly string[];
  /** Rows, each with one cell per column. */
  rows: readonly (readonly (string | number)[])[];
  /** Significant digits for numeric cells (default 4). */
  digits?: number;
  /** Caption under the table. */
  caption?: string;
}

/**
 * One section of a report: a heading, then text, figures and a table, in that order.
 *
 * @example
 * ```ts
 * const s: ReportSection = { heading: 'Training', text: 'Loss over steps.', figures: [svg] };
 * ```
 */
export interface ReportSection {
  /** Section heading. */
  heading: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  /** SVG strings (from `Figure.render`) or HTML from `grid`, inserted as they are. */
  figures?: readonly string[];
  /** A table of numbers. */
  table?: ReportTable;
}

/**
 * Contents of {@link htmlReport}.
 *
 * @example
 * ```ts
 * const r: ReportOptions = { title: 'MNIST', subtitle: '10 seeds', sections: [], footer: 'spikegrad 0.1.0' };
 * ```
 */
export interface ReportOptions {
  /** Document and page title. */
  title: string;
  /** A line under the title. */
  subtitle?: string;
  /** The sections, in order. */
  sections: readonly ReportSection[];
  /** A line at the bottom of the page. */
  footer?: string;
}

/**
 * Formats a number for a report table: `digits` significant digits without trailing zeros,
 * integers in full (up to 1e15), scientific notation for very small or large magnitudes, and
 * `NaN`, `∞`, `-∞` for the non-finite values.
 *
 * @example
 * ```ts
 * formatNumber(0.976123, 3); // '0.976'
 * formatNumber(10001, 3);    // '10001'
 * formatNumber(1.5e-7, 3);   // '1.5e-7'
 * ```
 */
export function formatNumber(x: number, digits = 4): string {
  if (typeof x !== 'number') throw argumentError(`Expected a number for x but received a value of type ${typeof x}`);
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw rangeError(`Expected an integer in [1, 17] for digits but received ${String(digits)}`);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  // Round first: rounding can carry into the next power of ten (9.99996e-5 -> 1e-4).
  const rounded = Number(x.toPrecision(digits));
  const ra = Math.abs(rounded);
  // String() of a number rounded to `digits` significant digits is its shortest exact decimal.
  if (ra >= 1e-4 && ra < 1e6) return String(rounded);
  const [mant, exp] = rounded.toExponential(digits - 1).split('e');
  const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
  return `${m}e${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fafafa; color: #1f2328; font: 16px/1.55 -apple-system, "Segoe UI", Helvetica, Arial, "Liberation Sans", sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 28px 40px; background: #ffffff; min-height: 100vh; }
header { border-bottom: 1px solid #d0d7de; margin-bottom: 20px; padding-bottom: 10px; }
h1 { font-size: 1.75em; line-height: 1.25; margin: 0 0 6px; }
.subtitle { color: #57606a; margin: 0; }
section { margin: 28px 0; }
h2 { font-size: 1.3em; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid #eaeef2; }
p { margin: 0 0 10px; max-width: 75ch; }
.figures { display: flex; flex-direction: column; gap: 16px; margin: 14px 0; }
.figures > svg, .sg-panel > svg { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; margin: 14px 0; }
table { border-collapse: collapse; font-size: 0.92em; font-variant-numeric: tabular-nums; }
caption { caption-side: bottom; text-align: left; color: #57606a; font-size: 0.9em; padding-top: 6px; }
th, td { padding: 4px 12px; border-bottom: 1px solid #eaeef2; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #d0d7de; font-weight: 600; background: #f6f8fa; }
td.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fbfcfd; }
footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid #d0d7de; color: #57606a; font-size: 0.85em; }
@media print { body { background: #ffffff; } main { padding: 0; max-width: none; } section { break-inside: avoid-page; } }
`.trim();

function checkString(v: unknown, name: string, optional: boolean): void {
  if (v === undefined && optional) return;
  if (typeof v !== 'string') throw argumentError(`Expected a string for ${name} but received a value of type ${typeof v}`);
}

function paragraphs(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${escapeXml(p)}</p>`)
    .join('\n');
}

const REPORT_OPTIONS = optionNames<ReportOptions>()(['title', 'subtitle', 'sections', 'footer']);
const SECTION_KEYS = optionNames<ReportSection>()(['heading', 'text', 'figures', 'table']);
const TABLE_KEYS = optionNames<ReportTable>()(['columns', 'rows', 'digits', 'caption']);

function renderTable(t: ReportTable, where: string): string {
  if (typeof t !== 'object' || t === null || !Array.isArray(t.columns) || !Array.isArray(t.rows)) {
    throw argumentError(`Expected { columns, rows } for ${where}`);
  }
  expectKnownKeys(t, where, TABLE_KEYS);
  const digits = t.digits ?? 4;
  const head = t.columns.map((c, j) => {
    checkString(c, `${where}.columns[${j}]`, false);
    return `<th scope="col">${escapeXml(c)}</th>`;
  });
  const body = t.rows.map((row, i) => {
    if (!Array.isArray(row) || row.length !== t.columns.length) {
      throw rangeError(
        `Expected ${t.columns.length} cells in ${where}.rows[${i}] but received ${Array.isArray(row) ? row.length : 'a non-array'}`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
    const cells = row.map((cell, j) => {
      if (typeof cell === 'number') return `<td class="num">${escapeXml(formatNumber(cell, digits))}</td>`;
      if (typeof cell === 'string') return `<td>${escapeXml(cell)}</td>`;
      throw argumentError(`Expected a string or number in ${where}.rows[${i}][${j}] but received a value of type ${typeof cell}`);
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  checkString(t.caption, `${where}.caption`, true);
  const caption = t.caption ? `<caption>${escapeXml(t.caption)}</caption>` : '';
  return (
    `<div class="table-wrap"><table>${caption}\n<thead><tr>${head.join('')}</tr></thead>\n` +
    `<tbody>\n${body.join('\n')}\n</tbody></table></div>`
  );
}

/**
 * Builds a complete, self-contained HTML5 document: title and subtitle, then each section's
 * heading, text paragraphs, figures (inserted verbatim: SVG from `Figure.render` or HTML from
 * `grid`) and table, then the footer. All text is escaped.
 *
 * @example
 * ```ts
 * const html = htmlReport({
 *   title: 'Single neuron: learn two spike times',
 *   sections: [
 *     { heading: 'Spike times', figures: [svg], table: { columns: ['trial', 'loss'], rows: [[0, 12.5], [2999, 1e-6]] } },
 *   ],
 *   footer: 'generated by spikegrad',
 * });
 * ```
 */
export function htmlReport(given: ReportOptions): string {
  const options = readOptions(given, 'htmlReport options', REPORT_OPTIONS, true) as ReportOptions;
  checkString(options.title, 'title', false);
  checkString(options.subtitle, 'subtitle', true);
  checkString(options.footer, 'footer', true);
  if (!Array.isArray(options.sections)) throw argumentError('Expected an array for sections');
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(options.title)}</title>`,
    `<style>\n${CSS}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    '<header>',
    `<h1>${escapeXml(options.title)}</h1>`,
  ];
  if (options.subtitle) parts.push(`<p class="subtitle">${escapeXml(options.subtitle)}</p>`);
  parts.push('</header>');
  options.sections.forEach((s, i) => {
    const where = `sections[${i}]`;
    if (typeof s !== 'object' || s === null) throw argumentError(`Expected an object for ${where}`);
    expectKnownKeys(s, where, SECTION_KEYS);
    checkString(s.heading, `${where}.heading`, false);
    checkString(s.text, `${where}.text`, true);
    parts.push('<section>', `<h2>${escapeXml(s.heading)}</h2>`);
    if (s.text) parts.push(paragraphs(s.text));
    if (s.figures !== undefined) {
      if (!Array.isArray(s.figures) || s.figures.some((f: unknown) => typeof f !== 'string')) {
        throw argumentError(`Expected an array of strings for ${where}.figures`);
      }
      if (s.figures.length > 0) parts.push(`<div class="figures">\n${s.figures.join('\n')}\n</div>`);
    }
    if (s.table !== undefined) parts.push(renderTable(s.table, `${where}.table`));
    parts.push('</section>');
  });
  if (options.footer) parts.push(`<footer>${escapeXml(options.footer)}</footer>`);
  parts.push('</main>', '</body>', '</html>', '');
  return parts.join('\n');
}

/**
 * Writes a report atomically (base/files.ts): the folder is created if needed, the text goes to a
 * temporary file in the same folder, which is then renamed over `file`. Readers never see a partial report, and
 * the temporary file is removed if anything fails.
 *
 * @example
 * ```ts
 * writeReport('reports/single_neuron.html', htmlReport({ title: 'Single neuron', sections }));
 * ```
 */
export function writeReport(file: string, html: string): void {
  checkString(file, 'file', false);
  checkString(html, 'html', false);
  if (file.length === 0) throw rangeError('Expected a non-empty path for file');
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, html);
}
