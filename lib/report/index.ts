/**
 * Dependency-free plotting and reports: SVG figures ({@link figure}, {@link grid}) and one
 * self-contained HTML document per experiment ({@link htmlReport}, {@link writeReport}).
 *
 * @example
 * ```ts
 * import { figure, grid, htmlReport, writeReport, PALETTE } from 'spikegrad';
 * const a = figure({ width: 420, height: 280, xlabel: 't', ylabel: 'neuron' })
 *   .scatter([0.5, 1.2, 2.0], [0, 1, 0], { marker: 'tick' })
 *   .render();
 * const b = figure({ width: 420, height: 280, yscale: 'log' }).line([1, 2, 3], [1, 0.1, 0.01], { color: PALETTE[1] }).render();
 * writeReport('reports/demo.html', htmlReport({ title: 'Demo', sections: [{ heading: 'Figures', figures: [grid([a, b], 2)] }] }));
 * ```
 */
export { figure, grid, escapeXml, Figure, PALETTE } from './svg';
export type {
  FigureOptions,
  GridOptions,
  LineOptions,
  ScatterOptions,
  BandOptions,
  SpanOptions,
  RefLineOptions,
  TextOptions,
  Scale,
  LegendPosition,
  Limits,
  Dash,
} from './svg';
export { htmlReport, writeReport, formatNumber } from './html';
export { spikeRaster, rasterHeight } from './raster';
export type { RasterOptions, RasterGroup } from './raster';
export type { ReportOptions, ReportSection, ReportTable } from './html';
