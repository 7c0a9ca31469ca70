import { rasterHeight, spikeRaster } from 'spikegrad';
import { all, parseMarkup, textOf } from '../helpers/markup';

const spikes = { times: [0.1, 0.5, 0.7, 1.2, 1.9, 0.3], neurons: [3, 120, 150, 205, 40, 99] };
const groups = [
  { name: 'hidden 1', size: 100 },
  { name: 'hidden 2', size: 100 },
  { name: 'output', size: 10 },
];

describe('spikeRaster', () => {
  it('sizes the figure for its neuron count', () => {
    expect(rasterHeight(1)).toBe(260);
    expect(rasterHeight(10)).toBeGreaterThan(rasterHeight(5));
    expect(rasterHeight(210)).toBeGreaterThan(rasterHeight(10));
    expect(rasterHeight(100000)).toBe(620);
    const svgOf = (text: string) => all(parseMarkup(text), (n) => n.name === 'svg')[0];
    expect(Number(svgOf(spikeRaster(spikes, { T: 2, groups })).attrs.height)).toBe(rasterHeight(210));
    expect(Number(svgOf(spikeRaster({ times: [1], neurons: [4] }, { T: 2 })).attrs.height)).toBe(rasterHeight(5));
    expect(Number(svgOf(spikeRaster({ times: [1], neurons: [4] }, { T: 2, height: 333 })).attrs.height)).toBe(333);
  });

  it('labels every layer band and gives every kind of mark a legend entry with its count', () => {
    const text = textOf(parseMarkup(spikeRaster(spikes, { T: 2, groups, title: 'After' })));
    for (const g of groups) expect(text).toContain(g.name);
    expect(text).toContain('hidden 1: 3 spikes');
    expect(text).toContain('hidden 2: 2 spikes');
    expect(text).toContain('output: 1 spike');
    expect(text).not.toContain('target spike');
    const withTargets = textOf(parseMarkup(spikeRaster(spikes, { T: 2, groups, targets: { times: [0.5], neurons: [1] } })));
    expect(withTargets).toContain('target spike');
    const plain = textOf(parseMarkup(spikeRaster(spikes, { T: 2, targets: { times: [0.5], neurons: [1] } })));
    expect(plain).toContain('spike');
    expect(plain).toContain('target spike');
  });

  it('refuses bad input with coded errors', () => {
    expect(() => spikeRaster({ times: [1], neurons: [] }, { T: 2 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => spikeRaster(spikes, { T: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_RANGE' }));
    expect(() => spikeRaster(spikes, { T: 2, groups: [{ name: 'a', size: 0 }] })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
    expect(() => spikeRaster(spikes, { T: 2, grups: [] } as never)).toThrow(expect.objectContaining({ message: expect.stringMatching(/did you mean 'groups'/) }));
    expect(() => spikeRaster(spikes, { T: 2, targets: { times: [1], neurons: [] } })).toThrow(expect.objectContaining({ code: 'ERR_SPIKEGRAD_ARG' }));
  });
});
