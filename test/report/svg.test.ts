import { figure, grid, escapeXml, Figure, PALETTE } from '../../lib/report';
import { all, parseMarkup, textOf, type MarkupNode } from '../helpers/markup';

type XNode = MarkupNode;
const parseXml = (src: string): XNode => parseMarkup(src);

/** Parses a rendered figure and checks it has exactly one root <svg> element. */
function svgRoot(svg: string): XNode {
  const doc = parseXml(svg);
  const roots = doc.content.filter((c): c is XNode => typeof c !== 'string');
  expect(roots.map((r) => r.name)).toEqual(['svg']);
  expect(doc.content.filter((c) => typeof c === 'string' && c.trim() !== '')).toEqual([]);
  return roots[0];
}

const byClass = (root: XNode, cls: string) => all(root, (n) => n.attrs.class === cls);
const tickTexts = (root: XNode, cls: 'sg-xticks' | 'sg-yticks') =>
  byClass(root, cls).flatMap((g) => all(g, (n) => n.name === 'text').map(textOf));
const tickXs = (root: XNode) => all(byClass(root, 'sg-xticks')[0], (n) => n.name === 'text').map((n) => Number(n.attrs.x));
const tickYs = (root: XNode) => all(byClass(root, 'sg-yticks')[0], (n) => n.name === 'text').map((n) => Number(n.attrs.y));
const subpaths = (d: string) => d.match(/M/g)?.length ?? 0;

function expectEvenlySpaced(values: number[], tol = 0.15): void {
  const diffs = values.slice(1).map((v, i) => v - values[i]);
  for (const d of diffs) expect(Math.abs(d - diffs[0])).toBeLessThanOrEqual(tol);
}

function demo(): Figure {
  const xs = Array.from({ length: 201 }, (_, i) => i / 20);
  return figure({ width: 480, height: 320, title: 'Demo', xlabel: 'time t', ylabel: 'V', legend: 'upper left' })
    .vspan(8, Infinity, { label: 'pseudo' })
    .band(xs, xs.map((x) => Math.sin(x) - 0.2), xs.map((x) => Math.sin(x) + 0.2))
    .line(xs, xs.map(Math.sin), { label: 'sin' })
    .scatter([1, 2, 3], [0, 0.5, -0.5], { marker: 'tick', label: 'spikes' })
    .hline(0.5)
    .vline(2)
    .text(1, 0.9, 'note');
}

// ---------------------------------------------------------------------------------------------

describe('figure rendering', () => {
  it('produces one well-formed <svg> root with namespace, viewBox and all figure parts', () => {
    const svg = demo().render();
    const root = svgRoot(svg);
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs.viewBox).toBe('0 0 480 320');
    expect(root.attrs.width).toBe('480');
    expect(textOf(byClass(root, 'sg-title')[0])).toBe('Demo');
    expect(textOf(byClass(root, 'sg-xlabel')[0])).toBe('time t');
    expect(textOf(byClass(root, 'sg-ylabel')[0])).toBe('V');
    for (const cls of ['sg-data', 'sg-axes', 'sg-xticks', 'sg-yticks', 'sg-legend', 'sg-line', 'sg-band', 'sg-scatter', 'sg-span', 'sg-ref', 'sg-text']) {
      expect(byClass(root, cls).length).toBeGreaterThan(0);
    }
    expect(byClass(root, 'sg-ref')).toHaveLength(2);
    // No scripts, no ids (several figures share one HTML page), no external references.
    expect(svg).not.toMatch(/<script|\sid="|href=|url\(/);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('is deterministic: the same input gives the identical string', () => {
    const a = demo().render();
    const b = demo().render();
    expect(a).toBe(b);
    const fig = demo();
    expect(fig.render()).toBe(fig.render());
  });

  it('prints coordinates with at most one decimal (two for widths and opacities)', () => {
    const xs = Array.from({ length: 50 }, (_, i) => Math.PI * i);
    const svg = figure({ width: 333.33, height: 222.22 })
      .line(xs, xs.map((x) => Math.sqrt(x) / 7), { width: 1.2345 })
      .render();
    const root = svgRoot(svg);
    for (const n of all(root, () => true)) {
      for (const [k, v] of Object.entries(n.attrs)) {
        const limit = k === 'stroke-width' || k.endsWith('opacity') ? 3 : 1;
        for (const m of v.matchAll(/\d+\.(\d+)/g)) expect({ k, digits: m[1].length <= limit }).toEqual({ k, digits: true });
      }
    }
  });

  it('places the data in a nested viewport that clips to the plot area', () => {
    const root = svgRoot(figure({ width: 400, height: 300, ylim: [0, 1] }).line([0, 1, 2], [0, 50, 0.5]).render());
    const data = byClass(root, 'sg-data')[0];
    expect(data.name).toBe('svg');
    expect(data.attrs.overflow).toBe('hidden');
    const w = Number(data.attrs.width);
    const h = Number(data.attrs.height);
    const nums = byClass(root, 'sg-line')[0].attrs.d.match(/-?\d+(\.\d+)?/g)?.map(Number) ?? [];
    for (let k = 0; k < nums.length; k += 2) {
      expect(nums[k]).toBeGreaterThanOrEqual(-5);
      expect(nums[k]).toBeLessThanOrEqual(w + 5);
      expect(nums[k + 1]).toBeGreaterThanOrEqual(-5);
      expect(nums[k + 1]).toBeLessThanOrEqual(h + 5);
    }
    // Out of range: the segment leaves through the top edge, so the line is split into two pieces.
    expect(subpaths(byClass(root, 'sg-line')[0].attrs.d)).toBe(2);
  });

  it('keeps huge lines small (at most ~4 points per pixel column)', () => {
    const n = 100001;
    const xs = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const ys = xs.map((x) => Math.sin(2000 * x));
    const svg = figure({ width: 480, height: 320 }).line(xs, ys).render();
    expect(svg.length).toBeLessThan(60000);
    const d = byClass(svgRoot(svg), 'sg-line')[0].attrs.d;
    // The envelope survives: the path still reaches both extremes.
    const yv = (d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number).filter((_, i) => i % 2 === 1);
    const data = byClass(svgRoot(svg), 'sg-data')[0];
    const h = Number(data.attrs.height);
    expect(Math.min(...yv)).toBeLessThan(0.05 * h);
    expect(Math.max(...yv)).toBeGreaterThan(0.95 * h);
  });
});

describe('lines with non-finite values', () => {
  it('breaks a line at NaN and ±Infinity and never prints them', () => {
    const root = svgRoot(figure().line([0, 1, 2, 3, 4, 5, 6], [0, 1, NaN, 1, 0, Infinity, 2]).render());
    const d = byClass(root, 'sg-line')[0].attrs.d;
    expect(subpaths(d)).toBe(3);
    expect(d).not.toMatch(/NaN|Infinity/);
  });

  it('breaks at non-finite x as well, and draws nothing for all-NaN data', () => {
    const root = svgRoot(figure().line([0, NaN, 2, 3], [1, 2, 3, 4]).render());
    expect(subpaths(byClass(root, 'sg-line')[0].attrs.d)).toBe(2);
    const empty = svgRoot(figure().line([NaN, NaN], [1, 2]).line([], []).render());
    expect(byClass(empty, 'sg-line')).toHaveLength(0);
  });

  it('keeps an isolated finite point visible as a dot', () => {
    const d = byClass(svgRoot(figure().line([0, 1, 2], [NaN, 1, NaN]).line([0, 2], [0, 2]).render()), 'sg-line')[0].attrs.d;
    expect(d).toMatch(/^M[\d.]+ [\d.]+h0$/);
  });

  it('breaks lines at non-positive values on a log axis', () => {
    const root = svgRoot(figure({ yscale: 'log' }).line([1, 2, 3, 4, 5], [1, 0.1, -1, 0.01, 0.001]).render());
    expect(subpaths(byClass(root, 'sg-line')[0].attrs.d)).toBe(2);
  });
});

describe('ticks', () => {
  it('places nice linear ticks with consistent labels', () => {
    const root = svgRoot(figure({ width: 480, height: 320, xlim: [0, 10], ylim: [0, 1] }).line([0, 10], [0, 1]).render());
    expect(tickTexts(root, 'sg-xticks')).toEqual(['0', '2', '4', '6', '8', '10']);
    expect(tickTexts(root, 'sg-yticks')).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expectEvenlySpaced(tickXs(root));
    expectEvenlySpaced(tickYs(root));
  });

  it('shrinks and shifts long titles and axis labels to stay inside the figure', () => {
    const long = 'Neuron 0: output times against arc length (moving average, 11), and more words';
    const root = svgRoot(figure({ width: 300, height: 200, title: long, ylabel: long, xlabel: long }).line([0, 1], [0, 1]).render());
    const title = byClass(root, 'sg-title')[0];
    expect(Number(title.attrs['font-size'])).toBeLessThan(13.8);
    expect(Number(title.attrs.x)).toBeCloseTo(150, 0);
    expect(Number(byClass(root, 'sg-xlabel')[0].attrs['font-size'])).toBeLessThan(12);
    expect(Number(byClass(root, 'sg-ylabel')[0].attrs['font-size'])).toBeLessThan(12);
    // Short labels keep the base size and their centred position over the plot.
    const short = svgRoot(figure({ width: 300, height: 200, title: 'T', ylabel: 'V' }).line([0, 1], [0, 1]).render());
    expect(byClass(short, 'sg-ylabel')[0].attrs['font-size']).toBeUndefined();
    const data = byClass(short, 'sg-data')[0];
    expect(Number(byClass(short, 'sg-title')[0].attrs.x)).toBeCloseTo(Number(data.attrs.x) + Number(data.attrs.width) / 2, 0);
  });

  it('uses a true minus sign for negative tick labels', () => {
    const root = svgRoot(figure({ ylim: [-40, 1] }).line([0, 1], [-40, 1]).render());
    expect(tickTexts(root, 'sg-yticks')).toContain('\u221240');
  });

  it('labels every tick of a log axis at a power of ten, evenly spaced', () => {
    const svg = figure({ width: 480, height: 320, xscale: 'log', xlim: [1e-3, 10], yscale: 'log', ylim: [1e-4, 0.8] })
      .line([1e-3, 10], [1e-4, 0.8])
      .render();
    const root = svgRoot(svg);
    expect(tickTexts(root, 'sg-xticks')).toEqual(['10\u22123', '10\u22122', '10\u22121', '100', '101']);
    expect(tickTexts(root, 'sg-yticks')).toEqual(['10\u22124', '10\u22123', '10\u22122', '10\u22121']);
    expectEvenlySpaced(tickXs(root));
    expectEvenlySpaced(tickYs(root));
    // The exponent is a raised, smaller tspan, so 10^-3 reads as a power and not as "10-3".
    expect(svg).toContain('10<tspan dy="-0.5em" font-size="0.75em">\u22123</tspan>');
    // Minor ticks at 2..9 x 10^k: the axis path has more tick marks than labels.
    const ticks = (byClass(root, 'sg-axes')[0].attrs.d.match(/M/g) ?? []).length - 1;
    expect(ticks).toBeGreaterThan(20);
  });

  it('thins out decade labels on very wide log ranges but keeps them at powers of ten', () => {
    const root = svgRoot(figure({ height: 300, yscale: 'log', ylim: [1e-30, 1e30] }).line([0, 1], [1e-30, 1e30]).render());
    const labels = tickTexts(root, 'sg-yticks');
    expect(labels.length).toBeGreaterThanOrEqual(3);
    expect(labels.length).toBeLessThanOrEqual(10);
    for (const l of labels) expect(l).toMatch(/^10\u2212?\d+$/);
  });

  it('labels plain multiples on a log axis that spans less than a decade', () => {
    const root = svgRoot(figure({ yscale: 'log' }).line([0, 1], [0.0021, 0.0062]).render());
    const labels = tickTexts(root, 'sg-yticks');
    expect(labels.length).toBeGreaterThanOrEqual(2);
    for (const l of labels) expect(Number(l)).toBeGreaterThan(0);
  });

  it('factors out a common power of ten for very large or small linear values', () => {
    const root = svgRoot(figure({ xlabel: 'n' }).line([0, 3e5], [0, 2e-4]).render());
    expect(textOf(byClass(root, 'sg-xexp')[0])).toBe('\u00d7105');
    expect(textOf(byClass(root, 'sg-yexp')[0])).toBe('\u00d710\u22124');
    for (const l of [...tickTexts(root, 'sg-xticks'), ...tickTexts(root, 'sg-yticks')]) expect(l.length).toBeLessThanOrEqual(4);
  });

  it('uses explicit ticks when given', () => {
    const root = svgRoot(figure({ yticks: [0, 3, 6, 9], ylim: [-0.5, 9.5] }).scatter([1], [1]).render());
    expect(tickTexts(root, 'sg-yticks')).toEqual(['0', '3', '6', '9']);
  });

  it('keeps x tick labels from overlapping', () => {
    const root = svgRoot(figure({ width: 200, height: 150 }).line([0, 123456], [0, 1]).render());
    const xs = tickXs(root);
    const labels = tickTexts(root, 'sg-xticks');
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThan(((labels[i].length + labels[i - 1].length) / 2) * 6);
  });
});

describe('elements', () => {
  it('draws scatter ticks as vertical bars and dots as round zero-length strokes', () => {
    const root = svgRoot(
      figure()
        .scatter([1, 2, 3], [0, 1, 2], { marker: 'tick', size: 10 })
        .scatter([1, NaN, 3], [0, 1, Infinity])
        .render(),
    );
    const [ticks, dots] = byClass(root, 'sg-scatter');
    expect(ticks.attrs.d.match(/v10/g)).toHaveLength(3);
    expect(dots.attrs.d.match(/h0/g)).toHaveLength(1);
    expect(dots.attrs['stroke-linecap']).toBe('round');
  });

  it('draws a band as closed polygons, split at non-finite values', () => {
    const xs = [0, 1, 2, 3, 4, 5];
    const root = svgRoot(figure().band(xs, [0, 0, 0, NaN, 0, 0], [1, 2, 1, 2, 1, 2]).render());
    const d = byClass(root, 'sg-band')[0].attrs.d;
    expect(subpaths(d)).toBe(2);
    expect(d.match(/Z/g)).toHaveLength(2);
  });

  it('extends a band with non-positive lower bounds to the bottom of a log axis', () => {
    const root = svgRoot(figure({ yscale: 'log', ylim: [1e-3, 1] }).band([1, 2, 3], [-0.1, 0.01, 0.01], [0.5, 0.5, 0.5]).render());
    const h = Number(byClass(root, 'sg-data')[0].attrs.height);
    const ys = (byClass(root, 'sg-band')[0].attrs.d.match(/-?\d+(\.\d+)?/g) ?? []).map(Number).filter((_, i) => i % 2 === 1);
    expect(Math.max(...ys)).toBeGreaterThanOrEqual(h);
    expect(Math.max(...ys)).toBeLessThanOrEqual(h + 3);
  });

  it('shades spans up to the plot edge for infinite bounds', () => {
    const root = svgRoot(
      figure({ xlim: [0, 12], ylim: [0, 12] })
        .hspan(10, Infinity)
        .vspan(-Infinity, 2)
        .render(),
    );
    const data = byClass(root, 'sg-data')[0];
    const ph = Number(data.attrs.height);
    const pw = Number(data.attrs.width);
    const [h, v] = byClass(root, 'sg-span');
    expect(Number(h.attrs.y)).toBe(-1);
    expect(Number(h.attrs.y) + Number(h.attrs.height)).toBeCloseTo((ph * 2) / 12, 0);
    expect(Number(h.attrs.width)).toBeCloseTo(pw + 2, 0);
    expect(Number(v.attrs.x)).toBe(-1);
    expect(Number(v.attrs.x) + Number(v.attrs.width)).toBeCloseTo((pw * 2) / 12, 0);
  });

  it('hides text annotations whose anchor lies outside the plot', () => {
    const root = svgRoot(figure({ xlim: [0, 1], ylim: [0, 1] }).text(0.5, 0.5, 'in').text(2, 0.5, 'out').render());
    expect(byClass(root, 'sg-text').map(textOf)).toEqual(['in']);
  });

  it('takes default colours from the palette, and a band shares the colour of the next line', () => {
    const root = svgRoot(figure().band([0, 1], [0, 0], [1, 1]).line([0, 1], [0, 1]).line([0, 1], [1, 0]).scatter([0], [0]).render());
    expect(byClass(root, 'sg-band')[0].attrs.fill).toBe(PALETTE[0]);
    expect(byClass(root, 'sg-line').map((n) => n.attrs.stroke)).toEqual([PALETTE[0], PALETTE[1]]);
    expect(byClass(root, 'sg-scatter')[0].attrs.stroke).toBe(PALETTE[2]);
  });

  it('has a distinct colourblind-friendly palette (Okabe-Ito)', () => {
    expect(PALETTE.length).toBe(8);
    expect(new Set(PALETTE).size).toBe(8);
    for (const c of PALETTE) expect(c).toMatch(/^#[0-9A-F]{6}$/);
    expect(PALETTE).toContain('#0072B2');
    expect(Object.isFrozen(PALETTE)).toBe(true);
  });

  it('applies dash patterns', () => {
    const root = svgRoot(figure().line([0, 1], [0, 1], { dash: 'dashed' }).line([0, 1], [1, 0], { dash: [5, 2] }).render());
    expect(byClass(root, 'sg-line').map((n) => n.attrs['stroke-dasharray'])).toEqual(['6 3.8', '5 2']);
  });
});

describe('legend', () => {
  const legendText = (root: XNode) => all(byClass(root, 'sg-legend')[0], (n) => n.name === 'text').map(textOf);

  it('lists labelled elements in order, and is absent without labels or when disabled', () => {
    expect(legendText(svgRoot(demo().render()))).toEqual(['pseudo', 'sin', 'spikes']);
    expect(byClass(svgRoot(figure().line([0, 1], [0, 1]).render()), 'sg-legend')).toHaveLength(0);
    expect(byClass(svgRoot(figure({ legend: false }).line([0, 1], [0, 1], { label: 'a' }).render()), 'sg-legend')).toHaveLength(0);
  });

  it("'best' avoids the corner with data, and 'right' puts the legend outside the plot", () => {
    const legendBox = (svg: string) => all(byClass(svgRoot(svg), 'sg-legend')[0], (n) => n.name === 'rect')[0];
    const data = (svg: string) => byClass(svgRoot(svg), 'sg-data')[0];
    // Data rising to the upper right: the best corner is elsewhere.
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const rising = figure({ width: 400, height: 300 }).line(xs, xs.map((x) => x * x), { label: 'rising' }).render();
    const box = legendBox(rising);
    const d = data(rising);
    expect(Number(box.attrs.x)).toBeLessThan(Number(d.attrs.x) + Number(d.attrs.width) / 2);
    const outside = figure({ width: 400, height: 300, legend: 'right' }).line(xs, xs, { label: 'a long legend label' }).render();
    const o = data(outside);
    expect(Number(legendBox(outside).attrs.x)).toBeGreaterThan(Number(o.attrs.x) + Number(o.attrs.width));
    expect(Number(legendBox(outside).attrs.x) + Number(legendBox(outside).attrs.width)).toBeLessThanOrEqual(400);
  });
});

describe('escaping', () => {
  const nasty = `a<b & c>"d" 'e'`;

  it('escapes <&>"\' in title, axis labels, legend labels, text and colours', () => {
    const svg = figure({ title: nasty, xlabel: nasty, ylabel: nasty })
      .line([0, 1], [0, 1], { label: nasty, color: '"red' })
      .text(0.5, 0.5, nasty)
      .render();
    const root = svgRoot(svg); // throws on any unescaped markup
    expect(textOf(byClass(root, 'sg-title')[0])).toBe(nasty);
    expect(textOf(byClass(root, 'sg-xlabel')[0])).toBe(nasty);
    expect(textOf(byClass(root, 'sg-ylabel')[0])).toBe(nasty);
    expect(textOf(byClass(root, 'sg-text')[0])).toBe(nasty);
    expect(root.attrs['aria-label']).toBe(nasty);
    expect(byClass(root, 'sg-line')[0].attrs.stroke).toBe('"red');
    expect(svg).toContain('a&lt;b &amp; c&gt;&quot;d&quot; &#39;e&#39;');
    expect(svg).not.toContain(nasty);
  });

  it('escapeXml handles every special character and drops characters XML forbids', () => {
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&#39;');
    expect(escapeXml('a\u0000b\u0007c\td\ne')).toBe('abc\td\ne');
    expect(escapeXml('x\ud800y')).toBe('xy');
    expect(escapeXml('\u00b1 \u03c4 \ud83d\ude00')).toBe('\u00b1 \u03c4 \ud83d\ude00');
  });
});

describe('grid', () => {
  const panel = (t: string) => figure({ width: 300, height: 200, title: t }).line([0, 1], [0, 1]).render();

  it('lays out panels in columns with letters (a), (b), ...', () => {
    const html = grid([panel('1'), panel('2'), panel('3'), panel('4')], 2);
    const root = parseXml(html);
    const g = all(root, (n) => n.attrs.class === 'sg-grid')[0];
    expect(g.attrs.style).toContain('grid-template-columns:repeat(2,minmax(0,1fr))');
    expect(all(g, (n) => n.attrs.class === 'sg-letter').map(textOf)).toEqual(['(a)', '(b)', '(c)', '(d)']);
    expect(all(g, (n) => n.attrs.class === 'sg-panel')).toHaveLength(4);
    expect(all(g, (n) => n.name === 'svg' && n.attrs.xmlns !== undefined)).toHaveLength(4);
    expect(grid([panel('1'), panel('2')], 2)).toBe(grid([panel('1'), panel('2')], 2));
  });

  it('accepts custom (escaped) letters or none, and caps the columns at the panel count', () => {
    const root = parseXml(grid([panel('1'), panel('2')], 5, { letters: ['<i>', 'B&'] }));
    expect(all(root, (n) => n.attrs.class === 'sg-letter').map(textOf)).toEqual(['<i>', 'B&']);
    expect(all(root, (n) => n.attrs.class === 'sg-grid')[0].attrs.style).toContain('repeat(2,');
    expect(grid([panel('1')], 1, { letters: false })).not.toContain('sg-letter');
    const many = parseXml(grid(Array.from({ length: 28 }, () => '<p>x</p>'), 4));
    expect(all(many, (n) => n.attrs.class === 'sg-letter').map(textOf).slice(25)).toEqual(['(z)', '(aa)', '(ab)']);
  });

  it('rejects invalid arguments', () => {
    expect(() => grid([panel('1')], 0)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => grid([panel('1'), panel('2')], 1, { letters: ['a'] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }));
  });
});

describe('argument checks', () => {
  it('rejects mismatched lengths, bad limits and bad options with coded errors', () => {
    expect(() => figure().line([0, 1], [0])).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }));
    expect(() => figure().band([0, 1], [0, 1], [1])).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_SHAPE' }));
    expect(() => figure({ xscale: 'log', xlim: [0, 1] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => figure({ ylim: [1, 1] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => figure({ width: -1 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => figure().line([0], [0], { opacity: 2 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => figure().hline(NaN)).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => figure().line('abc' as unknown as number[], [0, 1, 2])).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });

  it('handles empty and degenerate data with sensible default limits', () => {
    expect(() => svgRoot(figure().render())).not.toThrow();
    expect(() => svgRoot(figure({ xscale: 'log', yscale: 'log' }).render())).not.toThrow();
    const one = svgRoot(figure().scatter([3], [3]).render());
    expect(tickTexts(one, 'sg-xticks').length).toBeGreaterThanOrEqual(2);
    const half = svgRoot(figure({ ylim: [0, undefined] }).line([0, 1], [2, 4]).render());
    expect(tickTexts(half, 'sg-yticks')[0]).toBe('0');
  });
});
