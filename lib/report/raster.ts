/**
 * Spike rasters that stay readable: the figure grows with the neuron count, groups of neurons
 * (layers) are shaded bands with their names, every kind of mark has a legend entry, and target
 * spikes are drawn as large translucent orange discs under the spikes, so that they stand out.
 *
 * @example
 * ```ts
 * import { spikeRaster } from 'spikegrad';
 * const r = net.trial(batch);
 * const svg = spikeRaster({ times: r.spikeTimes, neurons: r.spikeNeurons }, {
 *   T: 2, title: 'After training',
 *   groups: [{ name: 'hidden 1', size: 100 }, { name: 'hidden 2', size: 100 }, { name: 'output', size: 10 }],
 * });
 * ```
 */
import { argumentError, describe, rangeError } from '../base/errors';
import { optionNames, readOptions } from '../base/validate';
import { figure, PALETTE } from './svg';

/** A group of consecutive neurons (a layer), from neuron 0 upwards in the order given. */
export interface RasterGroup {
  name: string;
  size: number;
}

/** Options of {@link spikeRaster}. */
export interface RasterOptions {
  /** Trial end: the x range is [0, T]. */
  T: number;
  /** Neurons shown (rows 0 .. neurons - 1). Default: the sum of the group sizes, else the largest index + 1. */
  neurons?: number;
  /** Layers as labelled bands; their spikes get one colour per group and a legend entry. */
  groups?: readonly RasterGroup[];
  /** Target spikes, drawn as large translucent orange discs under the spikes (legend 'target spike'). */
  targets?: { times: ArrayLike<number>; neurons: ArrayLike<number> };
  /** Title. */
  title?: string;
  /** Width in pixels. Default 640. */
  width?: number;
  /** Height in pixels. Default: from the neuron count (about 3 px a row for 200 neurons, 26 for 10), 260 to 620. */
  height?: number;
  /** x axis label. Default 't / tau'. */
  xlabel?: string;
}

/** Colours of the groups (the palette without orange, which marks targets). */
const GROUP_COLORS = [PALETTE[0], PALETTE[2], PALETTE[3], PALETTE[1], PALETTE[5], PALETTE[6]];
const TARGET_COLOR = PALETTE[4];

const RASTER_OPTIONS = optionNames<RasterOptions>()(['T', 'neurons', 'groups', 'targets', 'title', 'width', 'height', 'xlabel']);

/** The default height of a raster of n rows. */
export function rasterHeight(neurons: number): number {
  const perRow = neurons <= 12 ? 26 : neurons <= 40 ? 10 : neurons <= 120 ? 4 : 2.2;
  return Math.round(Math.min(620, Math.max(260, 110 + perRow * neurons)));
}

/** A spike raster (neuron index against time) as an SVG string. */
export function spikeRaster(spikes: { times: ArrayLike<number>; neurons: ArrayLike<number> }, given: RasterOptions): string {
  const o = readOptions(given, 'spikeRaster options', RASTER_OPTIONS, true) as RasterOptions;
  if (typeof spikes !== 'object' || spikes === null || spikes.times?.length !== spikes.neurons?.length) {
    throw argumentError(`Expected spikes { times, neurons } of equal lengths but received ${describe(spikes)}`);
  }
  if (typeof o.T !== 'number' || !Number.isFinite(o.T) || o.T <= 0) throw rangeError(`Expected a positive finite number for T but received ${describe(o.T)}`);
  const groups = o.groups ?? [];
  for (const g of groups) {
    if (typeof g?.name !== 'string' || !Number.isInteger(g.size) || g.size < 1) throw argumentError(`Expected groups of { name, size >= 1 } but received ${describe(g)}`);
  }
  let maxIndex = -1;
  for (let k = 0; k < spikes.neurons.length; k++) maxIndex = Math.max(maxIndex, spikes.neurons[k]);
  const n = o.neurons ?? (groups.length > 0 ? groups.reduce((s, g) => s + g.size, 0) : maxIndex + 1);
  if (!Number.isInteger(n) || n < 1) throw rangeError(`Expected a positive integer for neurons but received ${describe(n)}`);
  const height = o.height ?? rasterHeight(n);
  const width = o.width ?? 640;
  const f = figure({ title: o.title, xlabel: o.xlabel ?? 't / tau', ylabel: 'neuron', xlim: [0, o.T], ylim: [-0.5, n - 0.5], width, height, legend: groups.length > 0 || o.targets ? 'right' : false, fontSize: 13 });
  // A tick of most of a row's height where rows are tall; a dot of at least 3.5 px where they are
  // thin (a 2 px tick of a 1 px line would be all but invisible).
  const rowPixels = (height - 90) / n;
  const marker: 'tick' | 'dot' = rowPixels >= 6 ? 'tick' : 'dot';
  const tick = marker === 'tick' ? Math.min(18, rowPixels * 0.85) : Math.max(3.5, Math.min(6, rowPixels * 1.6));
  // Targets first, as large translucent discs, so that the spikes drawn over them stay visible.
  if (o.targets) {
    const t = o.targets;
    if (t.times?.length !== t.neurons?.length) throw argumentError('Expected targets { times, neurons } of equal lengths');
    f.scatter(Array.from(t.times), Array.from(t.neurons), { marker: 'dot', color: TARGET_COLOR, size: Math.max(10, Math.min(18, rowPixels * 0.75)), opacity: 0.55, label: 'target spike' });
  }
  if (groups.length === 0) {
    f.scatter(Array.from(spikes.times), Array.from(spikes.neurons), { marker, color: PALETTE[0], size: tick, label: o.targets ? 'spike' : undefined });
  } else {
    let start = 0;
    groups.forEach((g, k) => {
      const end = start + g.size;
      if (k % 2 === 1) f.hspan(start - 0.5, end - 0.5, { color: '#8c959f', opacity: 0.12 });
      const xs: number[] = [];
      const ys: number[] = [];
      for (let s = 0; s < spikes.times.length; s++) {
        if (spikes.neurons[s] >= start && spikes.neurons[s] < end) {
          xs.push(spikes.times[s]);
          ys.push(spikes.neurons[s]);
        }
      }
      const color = GROUP_COLORS[k % GROUP_COLORS.length];
      f.scatter(xs, ys, { marker, color, size: tick, label: `${g.name}: ${xs.length} spike${xs.length === 1 ? '' : 's'}` });
      f.text(o.T, (start + end - 1) / 2, g.name, { anchor: 'end', dx: -4, dy: 4, color: '#24292f', size: 12 });
      if (k > 0) f.hline(start - 0.5, { dash: 'solid', color: '#8c959f', width: 1 });
      start = end;
    });
  }
  return f.render();
}
