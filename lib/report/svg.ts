/**
 * A small, dependency-free figure API that renders scientific plots as self-contained SVG strings
 * (no scripts, no external resources, no element ids), for the experiment reports.
 *
 * Output is deterministic: the same calls give the identical string. Pixel coordinates are
 * printed with one decimal, dense lines are reduced to at most four points per pixel column, and
 * everything outside the plot area is clipped geometrically and by the plot's own viewport.
 *
 * @example
 * ```ts
 * import { figure, grid } from 'spikegrad';
 * const svg = figure({ width: 480, height: 320, xlabel: 'time', ylabel: 'V' })
 *   .line([0, 1, 2], [0, 1, 0], { label: 'V(t)' })
 *   .vspan(1.5, Infinity, { color: '#999999', opacity: 0.2, label: 'pseudo' })
 *   .render();
 * const html = grid([svg, svg], 2);
 * ```
 */
import { argumentError, rangeError } from '../base/errors';
import { optionNames, readOptions } from '../base/validate';

/**
 * The Okabe-Ito palette, distinguishable with the common forms of colour blindness. Series without
 * an explicit colour take these in order (yellow, which is hard to see on white, comes last).
 *
 * @example
 * ```ts
 * figure({ width: 400, height: 300 }).line(xs, ys, { color: PALETTE[1] });
 * ```
 */
export const PALETTE: readonly string[] = Object.freeze([
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
]);

/**
 * Axis scale: linear, or logarithmic with ticks at powers of ten.
 *
 * @example
 * ```ts
 * const s: Scale = 'log';
 * ```
 */
export type Scale = 'linear' | 'log';

/**
 * Where the legend goes: `'best'` (the inside corner that covers the least data), one of the
 * corners inside the plot area, or `'right'` (outside, to the right of the plot area, which then
 * gets narrower).
 *
 * @example
 * ```ts
 * figure({ width: 400, height: 300, legend: 'lower left' });
 * ```
 */
export type LegendPosition = 'best' | 'upper right' | 'upper left' | 'lower right' | 'lower left' | 'right';

/**
 * Axis limits; `undefined` on one side means "from the data".
 *
 * @example
 * ```ts
 * const ylim: Limits = [0, undefined];
 * ```
 */
export type Limits = readonly [number | undefined, number | undefined];

/**
 * Options of {@link figure}.
 *
 * @example
 * ```ts
 * const opts: FigureOptions = { width: 480, height: 320, xscale: 'log', ylim: [1e-4, 0.8] };
 * ```
 */
export interface FigureOptions {
  /** Width of the whole figure in pixels (default 480). */
  width?: number;
  /** Height of the whole figure in pixels (default 320). */
  height?: number;
  /** Title above the plot area. */
  title?: string;
  /** Label of the horizontal axis. */
  xlabel?: string;
  /** Label of the vertical axis. */
  ylabel?: string;
  /** Scale of the horizontal axis (default `'linear'`). */
  xscale?: Scale;
  /** Scale of the vertical axis (default `'linear'`). */
  yscale?: Scale;
  /** Horizontal limits; missing sides follow the data with a 3% margin. */
  xlim?: Limits;
  /** Vertical limits; missing sides follow the data with a 3% margin. */
  ylim?: Limits;
  /**
   * Legend of the labelled elements: `true` (default) for `'best'`, `false` to hide it, or a
   * {@link LegendPosition}.
   */
  legend?: boolean | LegendPosition;
  /** Explicit horizontal tick positions (labelled automatically). */
  xticks?: readonly number[];
  /** Explicit vertical tick positions (labelled automatically). */
  yticks?: readonly number[];
  /** Light grid lines at the major ticks (default false). */
  gridlines?: boolean;
  /** Base font size in pixels (default 12). */
  fontSize?: number;
}

/**
 * Dash pattern: a named style or an explicit SVG dash array in pixels.
 *
 * @example
 * ```ts
 * const d: Dash = [6, 3];
 * ```
 */
export type Dash = 'solid' | 'dashed' | 'dotted' | 'dashdot' | readonly number[];

/**
 * Options of {@link Figure.line}.
 *
 * @example
 * ```ts
 * const o: LineOptions = { color: PALETTE[2], width: 2, dash: 'dashed', label: 'target' };
 * ```
 */
export interface LineOptions {
  /** Stroke colour (default: the next palette colour). */
  color?: string;
  /** Stroke width in pixels (default 1.5). */
  width?: number;
  /** Dash pattern (default solid). */
  dash?: Dash;
  /** Legend label. */
  label?: string;
  /** Stroke opacity in [0, 1] (default 1). */
  opacity?: number;
}

/**
 * Options of {@link Figure.scatter}.
 *
 * @example
 * ```ts
 * const o: ScatterOptions = { marker: 'tick', size: 8, label: 'spikes' };
 * ```
 */
export interface ScatterOptions {
  /** Marker colour (default: the next palette colour). */
  color?: string;
  /** Dot diameter or tick height in pixels (default 5 for dots, 8 for ticks). */
  size?: number;
  /** Legend label. */
  label?: string;
  /** `'dot'` (default) or `'tick'`, a short vertical bar as in spike rasters. */
  marker?: 'dot' | 'tick';
  /** Opacity in [0, 1] (default 1). */
  opacity?: number;
}

/**
 * Options of {@link Figure.band}.
 *
 * @example
 * ```ts
 * const o: BandOptions = { color: PALETTE[0], opacity: 0.25 };
 * ```
 */
export interface BandOptions {
  /** Fill colour (default: the colour the next line or scatter would get, so a band and its line match). */
  color?: string;
  /** Fill opacity in [0, 1] (default 0.25). */
  opacity?: number;
  /** Legend label. */
  label?: string;
}

/**
 * Options of {@link Figure.hspan} and {@link Figure.vspan}.
 *
 * @example
 * ```ts
 * const o: SpanOptions = { color: '#888888', opacity: 0.15, label: 't > T' };
 * ```
 */
export interface SpanOptions {
  /** Fill colour (default grey). */
  color?: string;
  /** Fill opacity in [0, 1] (default 0.15). */
  opacity?: number;
  /** Legend label. */
  label?: string;
}

/**
 * Options of {@link Figure.hline} and {@link Figure.vline}.
 *
 * @example
 * ```ts
 * const o: RefLineOptions = { color: '#000000', dash: 'dotted' };
 * ```
 */
export interface RefLineOptions {
  /** Stroke colour (default dark grey). */
  color?: string;
  /** Stroke width in pixels (default 1). */
  width?: number;
  /** Dash pattern (default dashed). */
  dash?: Dash;
  /** Legend label. */
  label?: string;
  /** Stroke opacity in [0, 1] (default 1). */
  opacity?: number;
}

/**
 * Options of {@link Figure.text}.
 *
 * @example
 * ```ts
 * const o: TextOptions = { anchor: 'middle', color: '#555555', size: 11 };
 * ```
 */
export interface TextOptions {
  /** Text colour (default dark grey). */
  color?: string;
  /** Font size in pixels (default: the figure's font size). */
  size?: number;
  /** Horizontal alignment at the anchor point (default `'start'`). */
  anchor?: 'start' | 'middle' | 'end';
  /** Pixel offsets from the anchor point (positive dy is downwards). */
  dx?: number;
  /** Pixel offsets from the anchor point (positive dy is downwards). */
  dy?: number;
}

const FIGURE_OPTIONS = optionNames<FigureOptions>()([
  'width',
  'height',
  'title',
  'xlabel',
  'ylabel',
  'xscale',
  'yscale',
  'xlim',
  'ylim',
  'legend',
  'xticks',
  'yticks',
  'gridlines',
  'fontSize',
]);
const LINE_OPTIONS = optionNames<LineOptions>()(['color', 'width', 'dash', 'label', 'opacity']);
const SCATTER_OPTIONS = optionNames<ScatterOptions>()(['color', 'size', 'label', 'marker', 'opacity']);
const BAND_OPTIONS = optionNames<BandOptions>()(['color', 'opacity', 'label']);
const SPAN_OPTIONS = optionNames<SpanOptions>()(['color', 'opacity', 'label']);
const REF_LINE_OPTIONS = optionNames<RefLineOptions>()(['color', 'width', 'dash', 'label', 'opacity']);
const TEXT_OPTIONS = optionNames<TextOptions>()(['color', 'size', 'anchor', 'dx', 'dy']);

type Item =
  | { kind: 'line'; xs: ArrayLike<number>; ys: ArrayLike<number>; color: string; width: number; dash?: string; label?: string; opacity: number }
  | { kind: 'scatter'; xs: ArrayLike<number>; ys: ArrayLike<number>; color: string; size: number; marker: 'dot' | 'tick'; label?: string; opacity: number }
  | { kind: 'band'; xs: ArrayLike<number>; lo: ArrayLike<number>; hi: ArrayLike<number>; color: string; opacity: number; label?: string }
  | { kind: 'span'; axis: 'x' | 'y'; from: number; to: number; color: string; opacity: number; label?: string }
  | { kind: 'ref'; axis: 'x' | 'y'; value: number; color: string; width: number; dash?: string; label?: string; opacity: number }
  | { kind: 'text'; x: number; y: number; str: string; color: string; size: number; anchor: 'start' | 'middle' | 'end'; dx: number; dy: number };

const LAYER: Record<Item['kind'], number> = { span: 0, band: 1, ref: 2, line: 3, scatter: 4, text: 5 };

const FONT_FAMILY = 'Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif';
const AXIS_COLOR = '#333333';
const TEXT_COLOR = '#222222';
const GRID_COLOR = '#e6e6e6';
const TICK_LEN = 4;
const MINOR_TICK_LEN = 2.5;
/** Pixel coordinates beyond this magnitude are clamped before clipping (keeps the arithmetic finite). */
const PIXEL_CLAMP = 1e12;

// ---------------------------------------------------------------------------------------------
// Text helpers

/**
 * Escapes text for XML/HTML content and attribute values (`& < > " '`) and removes characters
 * that XML 1.0 does not allow (control characters other than tab, newline and carriage return,
 * lone surrogates and U+FFFE/U+FFFF).
 *
 * @example
 * ```ts
 * escapeXml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeXml(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i];
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&#39;';
    else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) continue;
    else if (c === 0xfffe || c === 0xffff) continue;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) continue;
    else out += ch;
  }
  return out;
}

/** Approximate advance width of `text` in a Helvetica-like font (in pixels). */
function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) {
    if (' .,:;!|ijlI\'`'.includes(ch)) w += 0.28;
    else if ('ftr()[]{}-/'.includes(ch)) w += 0.36;
    else if ('mwMW'.includes(ch)) w += 0.85;
    else if (ch >= '0' && ch <= '9') w += 0.56;
    else if (ch >= 'A' && ch <= 'Z') w += 0.68;
    else if (ch === '\u2212' || ch === '+' || ch === '=' || ch === '\u00d7') w += 0.58;
    else w += 0.54;
  }
  return w * size;
}

/**
 * Fits a centred label into [lo, hi]: shrinks the font (down to 7 px) when the text is too long,
 * then shifts the centre so that both ends stay inside.
 */
function fitText(text: string, size: number, center: number, lo: number, hi: number, widthFactor = 1): { size: number; center: number } {
  const room = Math.max(1, hi - lo);
  let s = size;
  let w = textWidth(text, s) * widthFactor;
  if (w > room) {
    s = Math.max(7, (s * room) / w);
    w = textWidth(text, s) * widthFactor;
  }
  const c = w >= room ? (lo + hi) / 2 : Math.min(Math.max(center, lo + w / 2), hi - w / 2);
  return { size: s, center: c };
}

/** A number for SVG output: at most `decimals` decimals, no trailing zeros, no "-0". */
function num(v: number, decimals = 1): string {
  const f = 10 ** decimals;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) || r === 0 ? '0' : String(r);
}

function opacityAttr(name: string, v: number): string {
  return v >= 1 ? '' : ` ${name}="${num(v, 3)}"`;
}

/** A tick label: plain text, or `base` with a superscript exponent (`10` and `-3` for 10^-3). */
interface Label {
  text: string;
  sup?: string;
}

function labelWidth(l: Label, size: number): number {
  return textWidth(l.text, size) + (l.sup === undefined ? 0 : textWidth(l.sup, size * 0.75) + 1);
}

function labelSvg(l: Label): string {
  const base = escapeXml(l.text);
  if (l.sup === undefined) return base;
  return `${base}<tspan dy="-0.5em" font-size="0.75em">${escapeXml(l.sup)}</tspan>`;
}

const MINUS = '\u2212';

function minusSign(s: string): string {
  return s.replace(/-/g, MINUS);
}

// ---------------------------------------------------------------------------------------------
// Scales and ticks

interface Axis {
  scale: Scale;
  lo: number;
  hi: number;
  /** Pixel length. */
  len: number;
  /** true: pixel 0 is at `hi` (the vertical axis). */
  flip: boolean;
}

function toUnit(a: Axis, v: number): number {
  if (a.scale === 'log') return (Math.log10(v) - Math.log10(a.lo)) / (Math.log10(a.hi) - Math.log10(a.lo));
  return (v - a.lo) / (a.hi - a.lo);
}

/** Data value to pixel; NaN for values a log axis cannot show. */
function toPixel(a: Axis, v: number): number {
  if (a.scale === 'log' && !(v > 0)) return NaN;
  let u = toUnit(a, v);
  if (a.flip) u = 1 - u;
  const p = u * a.len;
  if (Number.isNaN(p)) return NaN;
  return Math.max(-PIXEL_CLAMP, Math.min(PIXEL_CLAMP, p));
}

interface Tick {
  value: number;
  label?: Label;
  minor?: boolean;
}

/** Step of the form {1, 2, 5} x 10^k closest above `raw`. */
function niceStep(raw: number): number {
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  const m = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
  return m * 10 ** e;
}

function decimalsFor(step: number): number {
  for (let d = 0; d < 15; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 15;
}

/** An "a×10^b" label (just "10^b" when a = 1), with `step` setting the digits of a. */
function sciLabel(v: number, step: number): Label {
  if (v === 0) return { text: '0' };
  const e = Math.floor(Math.log10(Math.abs(v)) + 1e-9);
  const stepE = Math.floor(Math.log10(step) + 1e-9);
  const mant = v / 10 ** e;
  const d = Math.max(0, Math.min(6, e - stepE));
  let m = mant.toFixed(d);
  if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
  if (m === '1') return { text: '10', sup: minusSign(String(e)) };
  if (m === '-1') return { text: `${MINUS}10`, sup: minusSign(String(e)) };
  return { text: `${minusSign(m)}\u00d710`, sup: minusSign(String(e)) };
}

/** Tick marks of one axis; `exponent` set means the labels are in units of 10^exponent. */
interface TickSet {
  ticks: Tick[];
  exponent?: number;
}

function fixedLabel(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : minusSign(s);
}

/** Ticks at multiples of a step of the form {1, 2, 5, 2.5} x 10^k: as many as fit `target` (+1). */
function linearTicks(lo: number, hi: number, target: number): TickSet {
  const e0 = Math.floor(Math.log10((hi - lo) / Math.max(1, target)));
  let best: { step: number; count: number } | null = null;
  for (let e = e0 - 1; e <= e0 + 2; e++) {
    for (const m of [1, 2, 5, 2.5]) {
      const step = m * 10 ** e;
      const count = Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) + 1;
      if (count < 2 || count > target + 1) continue;
      if (best === null || count > best.count) best = { step, count };
    }
  }
  const step = best === null ? niceStep((hi - lo) / Math.max(1, target)) : best.step;
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const values: number[] = [];
  for (let k = first; k <= last && values.length < 1000; k++) values.push(k * step);
  return labelLinear(values, step);
}

/** Labels linear ticks; magnitudes >= 1e5 or < 1e-3 get a common power of ten (`exponent`). */
function labelLinear(values: number[], step: number): TickSet {
  const clean = values.map((v) => (Math.abs(v) < step * 1e-9 ? 0 : v));
  const maxAbs = clean.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const exponent = maxAbs >= 1e5 || (maxAbs > 0 && maxAbs < 1e-3) ? Math.floor(Math.log10(maxAbs) + 1e-9) : undefined;
  const unit = exponent === undefined ? 1 : 10 ** exponent;
  const d = decimalsFor(step / unit);
  return { ticks: clean.map((v) => ({ value: v, label: { text: fixedLabel(v / unit, d) } })), exponent };
}

function logTicks(lo: number, hi: number, target: number): TickSet {
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi);
  const kmin = Math.ceil(l0 - 1e-9);
  const kmax = Math.floor(l1 + 1e-9);
  const decades = kmax - kmin + 1;
  const inRange = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  if (decades >= 2) {
    const stride = Math.max(1, Math.ceil(decades / Math.max(2, target)));
    const ticks: Tick[] = [];
    for (let k = kmin; k <= kmax; k++) {
      if (k % stride === 0) ticks.push({ value: 10 ** k, label: { text: '10', sup: minusSign(String(k)) } });
      else if (stride <= 3) ticks.push({ value: 10 ** k, minor: true });
    }
    if (stride === 1 && l1 - l0 <= 10) {
      for (let k = Math.floor(l0); k <= Math.ceil(l1); k++) {
        for (let m = 2; m <= 9; m++) {
          const v = m * 10 ** k;
          if (inRange(v)) ticks.push({ value: v, minor: true });
        }
      }
    }
    return { ticks };
  }
  // Less than two powers of ten in view: label 1-2-5 multiples (or all 1..9) and mark the rest.
  for (const mults of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const values: number[] = [];
    for (let k = Math.floor(l0); k <= Math.ceil(l1); k++) {
      for (const m of mults) {
        const v = m * 10 ** k;
        if (inRange(v)) values.push(v);
      }
    }
    if (values.length >= 2 || mults.length === 9) {
      if (values.length < 2) return linearTicks(lo, hi, target);
      const plain = values.every((v) => v >= 1e-4 && v < 1e5);
      const ticks: Tick[] = values.map((v) => {
        const e = Math.floor(Math.log10(v) + 1e-9);
        if (!plain) return { value: v, label: sciLabel(v, 10 ** e) };
        return { value: v, label: { text: v.toFixed(Math.max(0, -e)) } };
      });
      for (let k = Math.floor(l0); k <= Math.ceil(l1); k++) {
        for (let m = 1; m <= 9; m++) {
          const v = m * 10 ** k;
          if (inRange(v) && !values.some((w) => Math.abs(w - v) <= 1e-9 * v)) ticks.push({ value: v, minor: true });
        }
      }
      return { ticks };
    }
  }
  return { ticks: [] };
}

function axisTicks(a: Axis, target: number, explicit: readonly number[] | undefined): TickSet {
  const [lo, hi] = [Math.min(a.lo, a.hi), Math.max(a.lo, a.hi)];
  if (explicit !== undefined) {
    const values = explicit.filter((v) => Number.isFinite(v) && v >= lo - 1e-9 * (hi - lo) && v <= hi + 1e-9 * (hi - lo) && (a.scale !== 'log' || v > 0));
    if (a.scale === 'log') {
      return {
        ticks: values.map((v) => {
          const e = Math.floor(Math.log10(v) + 1e-9);
          return { value: v, label: Math.abs(v / 10 ** e - 1) < 1e-9 ? { text: '10', sup: minusSign(String(e)) } : sciLabel(v, 10 ** (e - 2)) };
        }),
      };
    }
    const sorted = [...values].sort((p, q) => p - q);
    let step = Infinity;
    for (let i = 1; i < sorted.length; i++) if (sorted[i] - sorted[i - 1] > 0) step = Math.min(step, sorted[i] - sorted[i - 1]);
    if (!Number.isFinite(step)) step = sorted.length > 0 && sorted[0] !== 0 ? 10 ** Math.floor(Math.log10(Math.abs(sorted[0]))) : 1;
    return labelLinear(values, niceDecimalStep(step));
  }
  return a.scale === 'log' ? logTicks(lo, hi, target) : linearTicks(lo, hi, target);
}

/** The largest power of ten (or 2.5 x one) that divides `step` well enough to print it. */
function niceDecimalStep(step: number): number {
  for (let e = Math.floor(Math.log10(step)); e > -15; e--) {
    const unit = 10 ** e;
    if (Math.abs(step / unit - Math.round(step / unit)) < 1e-6) return unit;
  }
  return step;
}

// ---------------------------------------------------------------------------------------------
// Geometry: clipping and decimation in pixel space

type Pt = [number, number];

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Liang-Barsky: the part of segment p-q inside `r` as [t0, t1], or null. */
function clipSegment(p: Pt, q: Pt, r: Rect): [number, number] | null {
  let t0 = 0;
  let t1 = 1;
  const dx = q[0] - p[0];
  const dy = q[1] - p[1];
  const checks: [number, number][] = [
    [-dx, p[0] - r.x0],
    [dx, r.x1 - p[0]],
    [-dy, p[1] - r.y0],
    [dy, r.y1 - p[1]],
  ];
  for (const [pp, qq] of checks) {
    if (pp === 0) {
      if (qq < 0) return null;
    } else {
      const t = qq / pp;
      if (pp < 0) {
        if (t > t1) return null;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return null;
        if (t < t1) t1 = t;
      }
    }
  }
  return [t0, t1];
}

function inside(p: Pt, r: Rect): boolean {
  return p[0] >= r.x0 && p[0] <= r.x1 && p[1] >= r.y0 && p[1] <= r.y1;
}

/** Clips a polyline (finite points) to `r`, returning the visible pieces. */
function clipPolyline(pts: Pt[], r: Rect): Pt[][] {
  const out: Pt[][] = [];
  if (pts.length === 1) {
    if (inside(pts[0], r)) out.push([pts[0]]);
    return out;
  }
  let cur: Pt[] | null = null;
  for (let i = 1; i < pts.length; i++) {
    const p = pts[i - 1];
    const q = pts[i];
    const c = clipSegment(p, q, r);
    if (c === null) {
      cur = null;
      continue;
    }
    const a: Pt = c[0] === 0 ? p : [p[0] + c[0] * (q[0] - p[0]), p[1] + c[0] * (q[1] - p[1])];
    const b: Pt = c[1] === 1 ? q : [p[0] + c[1] * (q[0] - p[0]), p[1] + c[1] * (q[1] - p[1])];
    if (cur !== null && c[0] === 0) {
      cur.push(b);
    } else {
      cur = [a, b];
      out.push(cur);
    }
    if (c[1] !== 1) cur = null;
  }
  return out;
}

/** Sutherland-Hodgman: clips a polygon to `r`. */
function clipPolygon(poly: Pt[], r: Rect): Pt[] {
  const edges: [(p: Pt) => boolean, (p: Pt, q: Pt) => Pt][] = [
    [(p) => p[0] >= r.x0, (p, q) => lerpAt(p, q, 0, r.x0)],
    [(p) => p[0] <= r.x1, (p, q) => lerpAt(p, q, 0, r.x1)],
    [(p) => p[1] >= r.y0, (p, q) => lerpAt(p, q, 1, r.y0)],
    [(p) => p[1] <= r.y1, (p, q) => lerpAt(p, q, 1, r.y1)],
  ];
  let cur = poly;
  for (const [isIn, cut] of edges) {
    if (cur.length === 0) break;
    const next: Pt[] = [];
    for (let i = 0; i < cur.length; i++) {
      const p = cur[i];
      const q = cur[(i + 1) % cur.length];
      const pin = isIn(p);
      const qin = isIn(q);
      if (pin) next.push(p);
      if (pin !== qin) next.push(cut(p, q));
    }
    cur = next;
  }
  return cur;
}

function lerpAt(p: Pt, q: Pt, axis: 0 | 1, v: number): Pt {
  const t = (v - p[axis]) / (q[axis] - p[axis]);
  return axis === 0 ? [v, p[1] + t * (q[1] - p[1])] : [p[0] + t * (q[0] - p[0]), v];
}

/**
 * M4 reduction: within each run of consecutive points in the same pixel column keep the first,
 * lowest, highest and last point (in their original order). Visually lossless at pixel resolution.
 */
function decimate(pts: Pt[]): Pt[] {
  if (pts.length <= 4) return pts;
  const out: Pt[] = [];
  let start = 0;
  while (start < pts.length) {
    const col = Math.floor(pts[start][0]);
    let end = start + 1;
    while (end < pts.length && Math.floor(pts[end][0]) === col) end++;
    if (end - start <= 4) {
      for (let i = start; i < end; i++) out.push(pts[i]);
    } else {
      let iMin = start;
      let iMax = start;
      for (let i = start; i < end; i++) {
        if (pts[i][1] < pts[iMin][1]) iMin = i;
        if (pts[i][1] > pts[iMax][1]) iMax = i;
      }
      const keep = [...new Set([start, iMin, iMax, end - 1])].sort((p, q) => p - q);
      for (const i of keep) out.push(pts[i]);
    }
    start = end;
  }
  return out;
}

/** Path data for polylines with rounding and removal of repeated points. */
function pathData(pieces: Pt[][], closed = false): string {
  const parts: string[] = [];
  for (const piece of pieces) {
    let prev = '';
    const coords: string[] = [];
    for (const p of piece) {
      const s = `${num(p[0])} ${num(p[1])}`;
      if (s !== prev) coords.push(s);
      prev = s;
    }
    if (coords.length === 0) continue;
    if (coords.length === 1 && !closed) {
      // A single visible point: draw a dot-sized stub so it remains visible.
      parts.push(`M${coords[0]}h0`);
      continue;
    }
    parts.push(`M${coords[0]}` + (coords.length > 1 ? `L${coords.slice(1).join(' ')}` : '') + (closed ? 'Z' : ''));
  }
  return parts.join('');
}

function dashArray(d: Dash | undefined, width: number): string | undefined {
  if (d === undefined || d === 'solid') return undefined;
  const w = Math.max(1, width);
  if (d === 'dashed') return `${num(4 * w)} ${num(2.5 * w)}`;
  if (d === 'dotted') return `${num(w)} ${num(1.8 * w)}`;
  if (d === 'dashdot') return `${num(4.5 * w)} ${num(2 * w)} ${num(w)} ${num(2 * w)}`;
  if (!Array.isArray(d) || d.some((v: unknown) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
    throw argumentError(`Expected 'solid', 'dashed', 'dotted', 'dashdot' or an array of non-negative numbers for dash`);
  }
  return d.map((v: number) => num(v)).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Validation helpers

function checkArrayLike(v: unknown, name: string): ArrayLike<number> {
  if (!(Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)))) {
    throw argumentError(`Expected an array of numbers for ${name}`);
  }
  return v as ArrayLike<number>;
}

function checkSameLength(name: string, ...arrays: [string, ArrayLike<number>][]): void {
  const n = arrays[0][1].length;
  for (const [label, a] of arrays) {
    if (a.length !== n) {
      throw rangeError(
        `Expected ${arrays.map(([l]) => l).join(', ')} of equal length in ${name} but ${arrays[0][0]} has ${n} and ${label} has ${a.length}`,
        'ERR_SPIKEGRAD_SHAPE',
      );
    }
  }
}

function checkPositive(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw rangeError(`Expected a positive finite number for ${name} but received ${String(v)}`);
  return v;
}

function checkOpacity(v: number | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw rangeError(`Expected a number in [0, 1] for ${name} but received ${String(v)}`);
  return v;
}

function checkColor(v: string | undefined, def: string, name: string): string {
  if (v === undefined) return def;
  if (typeof v !== 'string' || v.length === 0) throw argumentError(`Expected a CSS colour string for ${name}`);
  return v;
}

function checkLimits(v: Limits | undefined, scale: Scale, name: string): Limits {
  if (v === undefined) return [undefined, undefined];
  if (!Array.isArray(v) || v.length !== 2) throw argumentError(`Expected [min, max] for ${name}`);
  for (const x of v) {
    if (x === undefined) continue;
    if (typeof x !== 'number' || !Number.isFinite(x)) throw rangeError(`Expected finite numbers or undefined in ${name} but received ${String(x)}`);
    if (scale === 'log' && x <= 0) throw rangeError(`Expected positive limits in ${name} for a log scale but received ${x}`);
  }
  if (v[0] !== undefined && v[1] !== undefined && !(v[0] < v[1])) throw rangeError(`Expected ${name}[0] < ${name}[1] but received [${v[0]}, ${v[1]}]`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The figure

interface LegendEntry {
  label: string;
  kind: 'line' | 'dot' | 'tick' | 'fill';
  color: string;
  width?: number;
  dash?: string;
  opacity: number;
}

/**
 * A figure under construction; every drawing method returns the figure, so calls chain. Create
 * one with {@link figure}.
 *
 * @example
 * ```ts
 * const svg = figure({ width: 480, height: 320, yscale: 'log' })
 *   .band(epochs, lo, hi)
 *   .line(epochs, mean, { label: 'test error' })
 *   .render();
 * ```
 */
export class Figure {
  private readonly opts: Required<Pick<FigureOptions, 'width' | 'height' | 'xscale' | 'yscale' | 'fontSize'>> & FigureOptions;
  private readonly xlim: Limits;
  private readonly ylim: Limits;
  private readonly items: Item[] = [];
  private colorIndex = 0;

  /**
   * Prefer {@link figure}.
   *
   * @example
   * ```ts
   * const fig = new Figure({ width: 400, height: 300 });
   * ```
   */
  constructor(given: FigureOptions = {}) {
    const options = readOptions(given, 'figure options', FIGURE_OPTIONS) as FigureOptions;
    const width = options.width === undefined ? 480 : checkPositive(options.width, 'width');
    const height = options.height === undefined ? 320 : checkPositive(options.height, 'height');
    const fontSize = options.fontSize === undefined ? 12 : checkPositive(options.fontSize, 'fontSize');
    const xscale = options.xscale ?? 'linear';
    const yscale = options.yscale ?? 'linear';
    for (const [s, n] of [
      [xscale, 'xscale'],
      [yscale, 'yscale'],
    ] as const) {
      if (s !== 'linear' && s !== 'log') throw argumentError(`Expected 'linear' or 'log' for ${n} but received ${String(s)}`);
    }
    const legend = options.legend;
    if (legend !== undefined && typeof legend !== 'boolean' && !['best', 'upper right', 'upper left', 'lower right', 'lower left', 'right'].includes(legend)) {
      throw argumentError(`Expected a boolean or a legend position for legend but received ${String(legend)}`);
    }
    this.opts = { ...options, width, height, fontSize, xscale, yscale };
    this.xlim = checkLimits(options.xlim, xscale, 'xlim');
    this.ylim = checkLimits(options.ylim, yscale, 'ylim');
  }

  private nextColor(advance: boolean): string {
    const c = PALETTE[this.colorIndex % PALETTE.length];
    if (advance) this.colorIndex++;
    return c;
  }

  /**
   * A line through the points (xs[i], ys[i]). Non-finite values (and non-positive ones on a log
   * axis) break the line into separate segments.
   *
   * @example
   * ```ts
   * fig.line([0, 1, NaN, 3, 4], [0, 1, 0, 1, 0], { color: PALETTE[1], dash: 'dashed', label: 'V' });
   * ```
   */
  line(xs: ArrayLike<number>, ys: ArrayLike<number>, given: LineOptions = {}): this {
    const options = readOptions(given, 'line options', LINE_OPTIONS) as LineOptions;
    checkArrayLike(xs, 'xs');
    checkArrayLike(ys, 'ys');
    checkSameLength('line', ['xs', xs], ['ys', ys]);
    const width = options.width === undefined ? 1.5 : checkPositive(options.width, 'width');
    this.items.push({
      kind: 'line',
      xs,
      ys,
      color: checkColor(options.color, '', 'color') || this.nextColor(true),
      width,
      dash: dashArray(options.dash, width),
      label: options.label,
      opacity: checkOpacity(options.opacity, 1, 'opacity'),
    });
    return this;
  }

  /**
   * Markers at the points (xs[i], ys[i]): dots, or short vertical ticks for spike rasters. Points
   * with non-finite coordinates are skipped.
   *
   * @example
   * ```ts
   * fig.scatter(spikeTimes, neuronIndices, { marker: 'tick', color: PALETTE[6], label: 'spikes' });
   * ```
   */
  scatter(xs: ArrayLike<number>, ys: ArrayLike<number>, given: ScatterOptions = {}): this {
    const options = readOptions(given, 'scatter options', SCATTER_OPTIONS) as ScatterOptions;
    checkArrayLike(xs, 'xs');
    checkArrayLike(ys, 'ys');
    checkSameLength('scatter', ['xs', xs], ['ys', ys]);
    const marker = options.marker ?? 'dot';
    if (marker !== 'dot' && marker !== 'tick') throw argumentError(`Expected 'dot' or 'tick' for marker but received ${String(marker)}`);
    this.items.push({
      kind: 'scatter',
      xs,
      ys,
      color: checkColor(options.color, '', 'color') || this.nextColor(true),
      size: options.size === undefined ? (marker === 'dot' ? 5 : 8) : checkPositive(options.size, 'size'),
      marker,
      label: options.label,
      opacity: checkOpacity(options.opacity, 1, 'opacity'),
    });
    return this;
  }

  /**
   * A shaded band between lo[i] and hi[i] (e.g. mean ± std). Non-finite entries split the band; on
   * a log axis, non-positive lower bounds extend the band to the bottom of the plot.
   *
   * @example
   * ```ts
   * fig.band(epochs, mean.map((m, i) => m - std[i]), mean.map((m, i) => m + std[i])).line(epochs, mean);
   * ```
   */
  band(xs: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>, given: BandOptions = {}): this {
    const options = readOptions(given, 'band options', BAND_OPTIONS) as BandOptions;
    checkArrayLike(xs, 'xs');
    checkArrayLike(lo, 'lo');
    checkArrayLike(hi, 'hi');
    checkSameLength('band', ['xs', xs], ['lo', lo], ['hi', hi]);
    this.items.push({
      kind: 'band',
      xs,
      lo,
      hi,
      color: checkColor(options.color, '', 'color') || this.nextColor(false),
      opacity: checkOpacity(options.opacity, 0.25, 'opacity'),
      label: options.label,
    });
    return this;
  }

  /**
   * A horizontal shaded region between y = from and y = to across the whole plot; ±Infinity
   * reaches the plot edge (e.g. `hspan(T, Infinity)` for the pseudospike region of spike times).
   *
   * @example
   * ```ts
   * fig.hspan(10, Infinity, { color: '#888888', opacity: 0.15, label: 'pseudo (t > T)' });
   * ```
   */
  hspan(from: number, to: number, options: SpanOptions = {}): this {
    return this.span('y', from, to, options);
  }

  /**
   * A vertical shaded region between x = from and x = to across the whole plot; ±Infinity reaches
   * the plot edge (e.g. `vspan(T, Infinity)` in a raster over time).
   *
   * @example
   * ```ts
   * fig.vspan(10, Infinity, { opacity: 0.15, label: 't > T' });
   * ```
   */
  vspan(from: number, to: number, options: SpanOptions = {}): this {
    return this.span('x', from, to, options);
  }

  private span(axis: 'x' | 'y', from: number, to: number, given: SpanOptions): this {
    const options = readOptions(given, 'span options', SPAN_OPTIONS) as SpanOptions;
    for (const [v, n] of [
      [from, 'from'],
      [to, 'to'],
    ] as const) {
      if (typeof v !== 'number' || Number.isNaN(v)) throw rangeError(`Expected a number (or ±Infinity) for ${n} but received ${String(v)}`);
    }
    this.items.push({
      kind: 'span',
      axis,
      from: Math.min(from, to),
      to: Math.max(from, to),
      color: checkColor(options.color, '#888888', 'color'),
      opacity: checkOpacity(options.opacity, 0.15, 'opacity'),
      label: options.label,
    });
    return this;
  }

  /**
   * A horizontal reference line at y = value across the whole plot (dashed by default).
   *
   * @example
   * ```ts
   * fig.hline(10, { label: 'T' });
   * ```
   */
  hline(value: number, options: RefLineOptions = {}): this {
    return this.ref('y', value, options);
  }

  /**
   * A vertical reference line at x = value across the whole plot (dashed by default).
   *
   * @example
   * ```ts
   * fig.vline(2.5, { color: PALETTE[2], dash: 'dotted' });
   * ```
   */
  vline(value: number, options: RefLineOptions = {}): this {
    return this.ref('x', value, options);
  }

  private ref(axis: 'x' | 'y', value: number, given: RefLineOptions): this {
    const options = readOptions(given, 'reference line options', REF_LINE_OPTIONS) as RefLineOptions;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw rangeError(`Expected a finite number for value but received ${String(value)}`);
    const width = options.width === undefined ? 1 : checkPositive(options.width, 'width');
    this.items.push({
      kind: 'ref',
      axis,
      value,
      color: checkColor(options.color, '#555555', 'color'),
      width,
      dash: dashArray(options.dash ?? 'dashed', width),
      label: options.label,
      opacity: checkOpacity(options.opacity, 1, 'opacity'),
    });
    return this;
  }

  /**
   * A text annotation anchored at data coordinates (x, y); hidden when the anchor is outside the
   * plot area.
   *
   * @example
   * ```ts
   * fig.text(10.2, 9, 'pseudospikes', { anchor: 'start' });
   * ```
   */
  text(x: number, y: number, str: string, given: TextOptions = {}): this {
    const options = readOptions(given, 'text options', TEXT_OPTIONS) as TextOptions;
    if (typeof str !== 'string') throw argumentError('Expected a string for str');
    const anchor = options.anchor ?? 'start';
    if (!['start', 'middle', 'end'].includes(anchor)) throw argumentError(`Expected 'start', 'middle' or 'end' for anchor`);
    this.items.push({
      kind: 'text',
      x,
      y,
      str,
      color: checkColor(options.color, '#333333', 'color'),
      size: options.size === undefined ? this.opts.fontSize : checkPositive(options.size, 'size'),
      anchor,
      dx: options.dx ?? 0,
      dy: options.dy ?? 0,
    });
    return this;
  }

  /** Data extent along one axis (finite values, positive ones for log scales). */
  private extent(axis: 'x' | 'y'): [number, number] | null {
    const scale = axis === 'x' ? this.opts.xscale : this.opts.yscale;
    let lo = Infinity;
    let hi = -Infinity;
    const add = (v: number) => {
      if (!Number.isFinite(v) || (scale === 'log' && v <= 0)) return;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    };
    for (const it of this.items) {
      if (it.kind === 'line' || it.kind === 'scatter') {
        const own = axis === 'x' ? it.xs : it.ys;
        const other = axis === 'x' ? it.ys : it.xs;
        const otherLog = (axis === 'x' ? this.opts.yscale : this.opts.xscale) === 'log';
        for (let i = 0; i < own.length; i++) {
          const o = other[i];
          if (Number.isFinite(o) && (!otherLog || o > 0)) add(own[i]);
        }
      } else if (it.kind === 'band') {
        for (let i = 0; i < it.xs.length; i++) {
          if (axis === 'x') add(it.xs[i]);
          else if (Number.isFinite(it.xs[i])) {
            add(it.lo[i]);
            add(it.hi[i]);
          }
        }
      } else if (it.kind === 'span' && it.axis === axis) {
        add(it.from);
        add(it.to);
      } else if (it.kind === 'ref' && it.axis === axis) {
        add(it.value);
      }
    }
    return lo <= hi ? [lo, hi] : null;
  }

  private limits(axis: 'x' | 'y'): [number, number] {
    const scale = axis === 'x' ? this.opts.xscale : this.opts.yscale;
    const given = axis === 'x' ? this.xlim : this.ylim;
    const ext = this.extent(axis);
    let lo: number;
    let hi: number;
    if (scale === 'log') {
      const pad = 0.03;
      let l0 = ext ? Math.log10(ext[0]) : 0;
      let l1 = ext ? Math.log10(ext[1]) : 1;
      if (given[0] !== undefined) l0 = Math.log10(given[0]);
      if (given[1] !== undefined) l1 = Math.log10(given[1]);
      if (given[0] !== undefined && given[1] === undefined && l1 <= l0) l1 = l0 + 1;
      if (given[1] !== undefined && given[0] === undefined && l0 >= l1) l0 = l1 - 1;
      if (l1 <= l0) {
        l0 -= 0.5;
        l1 += 0.5;
      }
      const d = l1 - l0;
      lo = given[0] !== undefined ? given[0] : 10 ** (l0 - pad * d);
      hi = given[1] !== undefined ? given[1] : 10 ** (l1 + pad * d);
    } else {
      let a = ext ? ext[0] : 0;
      let b = ext ? ext[1] : 1;
      if (given[0] !== undefined) a = given[0];
      if (given[1] !== undefined) b = given[1];
      if (given[0] !== undefined && given[1] === undefined && b <= a) b = a + 1;
      if (given[1] !== undefined && given[0] === undefined && a >= b) a = b - 1;
      if (b <= a) {
        const w = a === 0 ? 0.5 : Math.abs(a) * 0.1;
        a -= w;
        b += w;
      }
      const d = b - a;
      lo = given[0] !== undefined ? given[0] : a - 0.03 * d;
      hi = given[1] !== undefined ? given[1] : b + 0.03 * d;
    }
    return [lo, hi];
  }

  private legendEntries(): LegendEntry[] {
    const out: LegendEntry[] = [];
    for (const it of this.items) {
      if (it.kind === 'text' || it.label === undefined || it.label === '') continue;
      if (it.kind === 'line' || it.kind === 'ref') {
        out.push({ label: it.label, kind: 'line', color: it.color, width: it.width, dash: it.dash, opacity: it.opacity });
      } else if (it.kind === 'scatter') {
        out.push({ label: it.label, kind: it.marker, color: it.color, opacity: it.opacity, width: it.size });
      } else {
        out.push({ label: it.label, kind: 'fill', color: it.color, opacity: Math.min(1, it.opacity * 1.5) });
      }
    }
    return out;
  }

  /**
   * Renders the figure as a standalone `<svg>` element (with the SVG namespace, a viewBox, and
   * `max-width: 100%` so it shrinks with its container).
   *
   * @example
   * ```ts
   * fs.writeFileSync('fig.svg', figure({ width: 400, height: 300 }).line([0, 1], [0, 1]).render());
   * ```
   */
  render(): string {
    const { width: W, height: H, fontSize: fs } = this.opts;
    const tickFs = Math.max(6, fs - 1);
    const [xlo, xhi] = this.limits('x');
    const [ylo, yhi] = this.limits('y');
    const entries = this.legendEntries();
    const legendPos: LegendPosition | null =
      entries.length === 0 || this.opts.legend === false ? null : this.opts.legend === undefined || this.opts.legend === true ? 'best' : this.opts.legend;
    const legendFs = Math.max(6, fs - 1);
    const legendRow = legendFs * 1.45;
    const legendW = entries.length === 0 ? 0 : 8 + 22 + 6 + Math.max(...entries.map((e) => textWidth(e.label, legendFs))) + 8;
    const legendH = 6 + entries.length * legendRow + 2;

    const baseTop = this.opts.title ? Math.round(fs * 1.15 + 16) : Math.round(tickFs * 0.6 + 6);
    let top = baseTop;
    let bottom = Math.round(TICK_LEN + 4 + tickFs + (this.opts.xlabel ? 8 + fs : 0) + 6);
    let left = 40;
    let right = 12;
    if (legendPos === 'right') right = Math.round(legendW + 16);

    let xSet: TickSet = { ticks: [] };
    let ySet: TickSet = { ticks: [] };
    let pw = 0;
    let ph = 0;
    const xAxis = (): Axis => ({ scale: this.opts.xscale, lo: xlo, hi: xhi, len: pw, flip: false });
    const yAxis = (): Axis => ({ scale: this.opts.yscale, lo: ylo, hi: yhi, len: ph, flip: true });
    // Two passes: the y tick labels set the left margin, which sets the plot width.
    for (let pass = 0; pass < 2; pass++) {
      pw = Math.max(20, W - left - right);
      ph = Math.max(20, H - top - bottom);
      ySet = axisTicks(yAxis(), Math.max(2, Math.min(10, Math.round(ph / 45))), this.opts.yticks);
      // Room above the plot for the "x10^k" of the vertical axis.
      if (ySet.exponent !== undefined) top = this.opts.title ? baseTop + Math.round(tickFs + 2) : Math.max(baseTop, Math.round(tickFs * 1.4 + 6));
      const maxY = ySet.ticks.reduce((m, t) => (t.label ? Math.max(m, labelWidth(t.label, tickFs)) : m), 0);
      left = Math.round(TICK_LEN + 5 + maxY + (this.opts.ylabel ? 10 + fs : 0) + 6);
    }
    pw = Math.max(20, W - left - right);
    // Fewer x ticks until their labels no longer collide.
    for (let target = Math.max(2, Math.min(12, Math.round(pw / 70))); ; target--) {
      xSet = axisTicks(xAxis(), target, this.opts.xticks);
      if (this.opts.xticks !== undefined || target <= 2) break;
      const labelled = xSet.ticks.filter((t) => t.label).map((t) => ({ p: toPixel(xAxis(), t.value), w: labelWidth(t.label as Label, tickFs) }));
      labelled.sort((a, b) => a.p - b.p);
      let ok = true;
      for (let i = 1; i < labelled.length; i++) {
        if (labelled[i].p - labelled[i - 1].p < (labelled[i].w + labelled[i - 1].w) / 2 + 8) ok = false;
      }
      if (ok) break;
    }
    // Keep a rightmost x tick label inside the figure.
    const lastX = xSet.ticks.filter((t) => t.label).reduce((m, t) => Math.max(m, toPixel(xAxis(), t.value) + labelWidth(t.label as Label, tickFs) / 2), 0);
    if (legendPos !== 'right' && lastX - pw + 3 > right) {
      right = Math.ceil(lastX - pw + 3);
      pw = Math.max(20, W - left - right);
    }
    // Without an x label, the "x10^k" of the horizontal axis gets its own row.
    if (xSet.exponent !== undefined && !this.opts.xlabel) {
      bottom += Math.round(tickFs + 6);
      ph = Math.max(20, H - top - bottom);
    }
    const xTicks = xSet.ticks;
    const yTicks = ySet.ticks;
    const xa = xAxis();
    const ya = yAxis();

    const out: string[] = [];
    const label = this.opts.title ?? 'figure';
    out.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${num(W)}" height="${num(H)}" viewBox="0 0 ${num(W)} ${num(H)}" ` +
        `role="img" aria-label="${escapeXml(label)}" font-family="${escapeXml(FONT_FAMILY)}" font-size="${num(fs)}" ` +
        `style="max-width:100%;height:auto;display:block">`,
    );
    out.push(`<rect width="${num(W)}" height="${num(H)}" fill="#ffffff"/>`);
    if (this.opts.title) {
      // Bold text runs about 8% wider than the estimate for regular text.
      const t = fitText(this.opts.title, fs * 1.15, left + pw / 2, 4, W - 4, 1.08);
      out.push(
        `<text class="sg-title" x="${num(t.center)}" y="${num(fs * 1.15 + 4)}" text-anchor="middle"` +
          ` font-size="${num(t.size)}" font-weight="600" fill="${TEXT_COLOR}">${escapeXml(this.opts.title)}</text>`,
      );
    }

    // Grid lines under the data.
    if (this.opts.gridlines) {
      const d: string[] = [];
      for (const t of xTicks) if (!t.minor) d.push(`M${num(left + toPixel(xa, t.value))} ${num(top)}v${num(ph)}`);
      for (const t of yTicks) if (!t.minor) d.push(`M${num(left)} ${num(top + toPixel(ya, t.value))}h${num(pw)}`);
      if (d.length > 0) out.push(`<path d="${d.join('')}" stroke="${GRID_COLOR}" stroke-width="1" fill="none"/>`);
    }

    // Data, in a nested viewport that clips to the plot area.
    out.push(`<svg class="sg-data" x="${num(left)}" y="${num(top)}" width="${num(pw)}" height="${num(ph)}" overflow="hidden">`);
    const order = this.items.map((it, i) => ({ it, i })).sort((a, b) => LAYER[a.it.kind] - LAYER[b.it.kind] || a.i - b.i);
    for (const { it } of order) {
      const s = this.renderItem(it, xa, ya, pw, ph);
      if (s) out.push(s);
    }
    out.push('</svg>');

    // Axes: left and bottom spines with outward ticks.
    const axisD: string[] = [`M${num(left)} ${num(top)}V${num(top + ph)}H${num(left + pw)}`];
    const tickD: string[] = [];
    for (const t of xTicks) {
      const p = toPixel(xa, t.value);
      if (!(p >= -0.5 && p <= pw + 0.5)) continue;
      tickD.push(`M${num(left + p)} ${num(top + ph)}v${num(t.minor ? MINOR_TICK_LEN : TICK_LEN)}`);
    }
    for (const t of yTicks) {
      const p = toPixel(ya, t.value);
      if (!(p >= -0.5 && p <= ph + 0.5)) continue;
      tickD.push(`M${num(left)} ${num(top + p)}h${num(-(t.minor ? MINOR_TICK_LEN : TICK_LEN))}`);
    }
    out.push(`<path class="sg-axes" d="${axisD.join('')}${tickD.join('')}" stroke="${AXIS_COLOR}" stroke-width="1" fill="none" stroke-linecap="square"/>`);

    // Tick labels.
    const xLabels: string[] = [];
    const yLabels: string[] = [];
    for (const t of xTicks) {
      const p = toPixel(xa, t.value);
      if (!t.label || !(p >= -0.5 && p <= pw + 0.5)) continue;
      xLabels.push(`<text x="${num(left + p)}" y="${num(top + ph + TICK_LEN + 3 + tickFs * 0.85)}" text-anchor="middle">${labelSvg(t.label)}</text>`);
    }
    for (const t of yTicks) {
      const p = toPixel(ya, t.value);
      if (!t.label || !(p >= -0.5 && p <= ph + 0.5)) continue;
      yLabels.push(`<text x="${num(left - TICK_LEN - 4)}" y="${num(top + p + tickFs * 0.35)}" text-anchor="end">${labelSvg(t.label)}</text>`);
    }
    for (const [cls, labels] of [
      ['sg-xticks', xLabels],
      ['sg-yticks', yLabels],
    ] as const) {
      if (labels.length > 0) out.push(`<g class="${cls}" font-size="${num(tickFs)}" fill="${TEXT_COLOR}">${labels.join('')}</g>`);
    }

    // Common powers of ten of linear axes (matplotlib's offset text).
    if (ySet.exponent !== undefined) {
      const l: Label = { text: '\u00d710', sup: minusSign(String(ySet.exponent)) };
      out.push(`<text class="sg-yexp" x="${num(left)}" y="${num(top - 6)}" font-size="${num(tickFs)}" fill="${TEXT_COLOR}">${labelSvg(l)}</text>`);
    }
    let xMultWidth = 0;
    if (xSet.exponent !== undefined) {
      const l: Label = { text: '\u00d710', sup: minusSign(String(xSet.exponent)) };
      xMultWidth = labelWidth(l, tickFs);
      out.push(
        `<text class="sg-xexp" x="${num(left + pw)}" y="${num(H - 7)}" text-anchor="end" font-size="${num(tickFs)}"` +
          ` fill="${TEXT_COLOR}">${labelSvg(l)}</text>`,
      );
    }

    // Axis labels.
    if (this.opts.xlabel) {
      // Centred under the plot, kept clear of the x10^k of the axis and of the figure edges.
      const t = fitText(this.opts.xlabel, fs, left + pw / 2, 4, xMultWidth > 0 ? left + pw - xMultWidth - 8 : W - 4);
      const size = t.size === fs ? '' : ` font-size="${num(t.size)}"`;
      out.push(
        `<text class="sg-xlabel" x="${num(t.center)}" y="${num(H - 7)}" text-anchor="middle"${size}` +
          ` fill="${TEXT_COLOR}">${escapeXml(this.opts.xlabel)}</text>`,
      );
    }
    if (this.opts.ylabel) {
      // Along the plot's height, below the title.
      const t = fitText(this.opts.ylabel, fs, top + ph / 2, this.opts.title ? baseTop - 4 : 4, H - 4);
      const size = t.size === fs ? '' : ` font-size="${num(t.size)}"`;
      out.push(
        `<text class="sg-ylabel" transform="translate(${num(5 + fs * 0.8)} ${num(t.center)}) rotate(-90)" text-anchor="middle"${size}` +
          ` fill="${TEXT_COLOR}">${escapeXml(this.opts.ylabel)}</text>`,
      );
    }

    if (legendPos !== null) out.push(this.renderLegend(entries, legendPos, left, top, pw, ph, legendW, legendH, legendFs, legendRow));
    out.push('</svg>');
    return out.join('\n');
  }

  private renderItem(it: Item, xa: Axis, ya: Axis, pw: number, ph: number): string {
    const margin = (m: number): Rect => ({ x0: -m, y0: -m, x1: pw + m, y1: ph + m });
    switch (it.kind) {
      case 'line': {
        const pieces: Pt[][] = [];
        let run: Pt[] = [];
        const flush = () => {
          if (run.length > 0) for (const piece of clipPolyline(run, margin(it.width + 2))) pieces.push(decimate(piece));
          run = [];
        };
        for (let i = 0; i < it.xs.length; i++) {
          const px = toPixel(xa, it.xs[i]);
          const py = toPixel(ya, it.ys[i]);
          if (Number.isFinite(it.xs[i]) && Number.isFinite(it.ys[i]) && Number.isFinite(px) && Number.isFinite(py)) run.push([px, py]);
          else flush();
        }
        flush();
        const d = pathData(pieces);
        if (!d) return '';
        const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : '';
        return (
          `<path class="sg-line" d="${d}" fill="none" stroke="${escapeXml(it.color)}" stroke-width="${num(it.width, 2)}"` +
          `${dash}${opacityAttr('stroke-opacity', it.opacity)} stroke-linejoin="round" stroke-linecap="round"/>`
        );
      }
      case 'scatter': {
        const r = margin(it.size);
        const seen = new Set<string>();
        const parts: string[] = [];
        for (let i = 0; i < it.xs.length; i++) {
          if (!Number.isFinite(it.xs[i]) || !Number.isFinite(it.ys[i])) continue;
          const px = toPixel(xa, it.xs[i]);
          const py = toPixel(ya, it.ys[i]);
          if (!Number.isFinite(px) || !Number.isFinite(py) || !inside([px, py], r)) continue;
          const key = `${num(px)} ${num(py)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          parts.push(it.marker === 'tick' ? `M${num(px)} ${num(py - it.size / 2)}v${num(it.size)}` : `M${key}h0`);
        }
        if (parts.length === 0) return '';
        const sw = it.marker === 'tick' ? num(Math.max(1, it.size / 7), 2) : num(it.size, 2);
        const cap = it.marker === 'tick' ? 'butt' : 'round';
        return (
          `<path class="sg-scatter" d="${parts.join('')}" fill="none" stroke="${escapeXml(it.color)}" stroke-width="${sw}"` +
          ` stroke-linecap="${cap}"${opacityAttr('stroke-opacity', it.opacity)}/>`
        );
      }
      case 'band': {
        const r = margin(2);
        const polys: string[] = [];
        let upper: Pt[] = [];
        let lower: Pt[] = [];
        const far = ph + 1e6;
        const flush = () => {
          if (upper.length >= 2) {
            const poly = clipPolygon([...decimate(upper), ...decimate(lower.reverse())], r);
            if (poly.length >= 3) polys.push(pathData([poly], true));
          }
          upper = [];
          lower = [];
        };
        for (let i = 0; i < it.xs.length; i++) {
          const x = it.xs[i];
          const lo = it.lo[i];
          const hi = it.hi[i];
          const px = toPixel(xa, x);
          const ok = Number.isFinite(x) && Number.isFinite(px) && Number.isFinite(lo) && Number.isFinite(hi);
          if (!ok) {
            flush();
            continue;
          }
          const pl = ya.scale === 'log' && lo <= 0 ? far : toPixel(ya, lo);
          const ph2 = ya.scale === 'log' && hi <= 0 ? far : toPixel(ya, hi);
          upper.push([px, ph2]);
          lower.push([px, pl]);
        }
        flush();
        if (polys.length === 0) return '';
        return `<path class="sg-band" d="${polys.join('')}" fill="${escapeXml(it.color)}"${opacityAttr('fill-opacity', it.opacity)} stroke="none"/>`;
      }
      case 'span': {
        const a = it.axis === 'x' ? xa : ya;
        const len = it.axis === 'x' ? pw : ph;
        const edge = (v: number) => {
          if (v === -Infinity || (a.scale === 'log' && v <= 0)) return a.flip ? len + 1 : -1;
          if (v === Infinity) return a.flip ? -1 : len + 1;
          return Math.max(-1, Math.min(len + 1, toPixel(a, v)));
        };
        const p0 = edge(it.from);
        const p1 = edge(it.to);
        const lo = Math.min(p0, p1);
        const hi = Math.max(p0, p1);
        if (hi - lo <= 0) return '';
        const fill = `fill="${escapeXml(it.color)}"${opacityAttr('fill-opacity', it.opacity)}`;
        return it.axis === 'x'
          ? `<rect class="sg-span" x="${num(lo)}" y="-1" width="${num(hi - lo)}" height="${num(ph + 2)}" ${fill}/>`
          : `<rect class="sg-span" x="-1" y="${num(lo)}" width="${num(pw + 2)}" height="${num(hi - lo)}" ${fill}/>`;
      }
      case 'ref': {
        const a = it.axis === 'x' ? xa : ya;
        const p = toPixel(a, it.value);
        if (!Number.isFinite(p) || p < -it.width || p > (it.axis === 'x' ? pw : ph) + it.width) return '';
        const d = it.axis === 'x' ? `M${num(p)} 0V${num(ph)}` : `M0 ${num(p)}H${num(pw)}`;
        const dash = it.dash ? ` stroke-dasharray="${it.dash}"` : '';
        return (
          `<path class="sg-ref" d="${d}" stroke="${escapeXml(it.color)}" stroke-width="${num(it.width, 2)}"` +
          `${dash}${opacityAttr('stroke-opacity', it.opacity)} fill="none"/>`
        );
      }
      case 'text': {
        const px = toPixel(xa, it.x);
        const py = toPixel(ya, it.y);
        if (!Number.isFinite(px) || !Number.isFinite(py) || !inside([px, py], margin(0.5))) return '';
        return (
          `<text class="sg-text" x="${num(px + it.dx)}" y="${num(py + it.dy)}" text-anchor="${it.anchor}"` +
          ` font-size="${num(it.size)}" fill="${escapeXml(it.color)}">` +
          `${escapeXml(it.str)}</text>`
        );
      }
    }
  }

  /** The inside corner whose legend box covers the fewest data points and line segments. */
  private bestCorner(w: number, h: number, pad: number, pw: number, ph: number): LegendPosition {
    const xa: Axis = { scale: this.opts.xscale, lo: this.limits('x')[0], hi: this.limits('x')[1], len: pw, flip: false };
    const ya: Axis = { scale: this.opts.yscale, lo: this.limits('y')[0], hi: this.limits('y')[1], len: ph, flip: true };
    const corners: LegendPosition[] = ['upper right', 'upper left', 'lower left', 'lower right'];
    const boxes: Rect[] = corners.map((c) => {
      const x0 = c.endsWith('left') ? pad : pw - w - pad;
      const y0 = c.startsWith('upper') ? pad : ph - h - pad;
      return { x0, y0, x1: x0 + w, y1: y0 + h };
    });
    const scores = boxes.map(() => 0);
    const pt = (x: number, y: number): Pt | null => {
      const p: Pt = [toPixel(xa, x), toPixel(ya, y)];
      return Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(p[0]) && Number.isFinite(p[1]) ? p : null;
    };
    for (const it of this.items) {
      if (it.kind === 'line') {
        let prev: Pt | null = null;
        for (let i = 0; i < it.xs.length; i++) {
          const p = pt(it.xs[i], it.ys[i]);
          if (p !== null && prev !== null) {
            boxes.forEach((b, k) => {
              if (clipSegment(prev as Pt, p, b) !== null) scores[k]++;
            });
          }
          prev = p;
        }
      } else if (it.kind === 'scatter' || it.kind === 'band') {
        const ys = it.kind === 'scatter' ? [it.ys] : [it.lo, it.hi];
        for (const arr of ys) {
          for (let i = 0; i < it.xs.length; i++) {
            const p = pt(it.xs[i], arr[i]);
            if (p !== null) boxes.forEach((b, k) => (scores[k] += inside(p, b) ? 1 : 0));
          }
        }
      } else if (it.kind === 'ref') {
        const p = toPixel(it.axis === 'x' ? xa : ya, it.value);
        // A reference line is one mark but a key one (an output spike, a target): hiding it under
        // the legend costs as much as hiding a stretch of a curve.
        boxes.forEach((b, k) => (scores[k] += (it.axis === 'x' ? p >= b.x0 && p <= b.x1 : p >= b.y0 && p <= b.y1) ? 25 : 0));
      } else if (it.kind === 'text') {
        const p = pt(it.x, it.y);
        if (p !== null) boxes.forEach((b, k) => (scores[k] += inside(p, b) ? 5 : 0));
      }
    }
    let best = 0;
    for (let k = 1; k < scores.length; k++) if (scores[k] < scores[best]) best = k;
    return corners[best];
  }

  private renderLegend(
    entries: LegendEntry[],
    pos: LegendPosition,
    left: number,
    top: number,
    pw: number,
    ph: number,
    w: number,
    h: number,
    fs: number,
    row: number,
  ): string {
    const pad = 6;
    let x: number;
    let y: number;
    if (pos === 'best') pos = this.bestCorner(w, h, pad, pw, ph);
    if (pos === 'right') {
      x = left + pw + 12;
      y = top;
    } else {
      x = pos.endsWith('left') ? left + pad : left + pw - w - pad;
      y = pos.startsWith('upper') ? top + pad : top + ph - h - pad;
    }
    const parts: string[] = [];
    parts.push(`<g class="sg-legend" font-size="${num(fs)}" fill="${TEXT_COLOR}">`);
    parts.push(
      `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" rx="2"` +
        ` fill="#ffffff" fill-opacity="0.85" stroke="#cccccc" stroke-width="0.8"/>`,
    );
    entries.forEach((e, i) => {
      const cy = y + 6 + row * (i + 0.5);
      const sx = x + 8;
      const color = escapeXml(e.color);
      const op = (name: string) => opacityAttr(name, e.opacity);
      if (e.kind === 'line') {
        const dash = e.dash ? ` stroke-dasharray="${e.dash}"` : '';
        const sw = num(Math.min(e.width ?? 1.5, 4), 2);
        parts.push(`<path d="M${num(sx)} ${num(cy)}h22" stroke="${color}" stroke-width="${sw}"${dash}${op('stroke-opacity')} fill="none"/>`);
      } else if (e.kind === 'dot') {
        const sw = num(Math.min(e.width ?? 5, row * 0.7), 2);
        parts.push(`<path d="M${num(sx + 11)} ${num(cy)}h0" stroke="${color}" stroke-width="${sw}" stroke-linecap="round"${op('stroke-opacity')}/>`);
      } else if (e.kind === 'tick') {
        const hh = Math.min(e.width ?? 8, row * 0.8);
        const sw = num(Math.max(1, hh / 7), 2);
        parts.push(`<path d="M${num(sx + 11)} ${num(cy - hh / 2)}v${num(hh)}" stroke="${color}" stroke-width="${sw}"${op('stroke-opacity')}/>`);
      } else {
        parts.push(`<rect x="${num(sx + 2)}" y="${num(cy - row * 0.3)}" width="18" height="${num(row * 0.6)}" fill="${color}"${op('fill-opacity')}/>`);
      }
      parts.push(`<text x="${num(sx + 28)}" y="${num(cy + fs * 0.35)}">${escapeXml(e.label)}</text>`);
    });
    parts.push('</g>');
    return parts.join('');
  }
}

/**
 * Starts a figure. Add elements with the chainable methods of {@link Figure}, then call
 * {@link Figure.render} for the SVG string.
 *
 * @example
 * ```ts
 * const svg = figure({ width: 480, height: 320, title: 'Spike times', xlabel: 'trial', ylabel: 't / T' })
 *   .hspan(1, Infinity, { label: 'pseudo' })
 *   .line(trials, times, { label: 'neuron 0' })
 *   .render();
 * ```
 */
export function figure(options: FigureOptions = {}): Figure {
  return new Figure(options);
}

/**
 * Options of {@link grid}.
 *
 * @example
 * ```ts
 * const o: GridOptions = { letters: false, gap: 16 };
 * ```
 */
export interface GridOptions {
  /** Panel letters: `true` (default) for (a), (b), ...; `false` for none; or explicit labels. */
  letters?: boolean | readonly string[];
  /** Gap between panels in pixels (default 12). */
  gap?: number;
}

/** The n-th panel letter: a..z, then aa, ab, ... */
function panelLetter(n: number): string {
  let s = '';
  let k = n;
  do {
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return `(${s})`;
}

/**
 * Lays out figures (SVG strings from {@link Figure.render}, or any HTML) in a CSS grid with the
 * given number of columns, each panel headed by its letter (a), (b), ... Panels shrink with the
 * page width.
 *
 * @example
 * ```ts
 * const html = grid([rasterSvg, tracesSvg, timesSvg, lossSvg], 2);
 * ```
 */
export function grid(figures: readonly string[], columns: number, given: GridOptions = {}): string {
  const options = readOptions(given, 'grid options', ['letters', 'gap'] as const) as GridOptions;
  if (!Array.isArray(figures) || figures.some((f) => typeof f !== 'string')) throw argumentError('Expected an array of strings for figures');
  if (!Number.isInteger(columns) || columns < 1) throw rangeError(`Expected a positive integer for columns but received ${String(columns)}`);
  const letters = options.letters ?? true;
  if (Array.isArray(letters) && letters.length < figures.length) {
    throw rangeError(`Expected at least ${figures.length} letters but received ${letters.length}`, 'ERR_SPIKEGRAD_SHAPE');
  }
  const gap = options.gap === undefined ? 12 : options.gap;
  if (typeof gap !== 'number' || !Number.isFinite(gap) || gap < 0) throw rangeError(`Expected a non-negative number for gap but received ${String(gap)}`);
  const cols = Math.max(1, Math.min(columns, figures.length));
  const panels = figures.map((f, i) => {
    const letter = letters === true ? panelLetter(i) : letters === false ? '' : (letters as readonly string[])[i];
    const head = letter ? `<div class="sg-letter" style="font-weight:700;font-size:14px;line-height:1.2;margin:0 0 2px 2px">${escapeXml(letter)}</div>` : '';
    return `<div class="sg-panel" style="min-width:0">${head}${f}</div>`;
  });
  return (
    `<div class="sg-grid" style="display:grid;grid-template-columns:repeat(${cols},minmax(0,1fr));gap:${num(gap)}px;align-items:start">\n` +
    panels.join('\n') +
    '\n</div>'
  );
}
