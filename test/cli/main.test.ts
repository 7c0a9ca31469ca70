import { execFileSync } from 'child_process';
import fs = require('fs');
import path = require('path');
import { main } from '../../lib/cli/main';
import { EXPERIMENTS } from '../../lib/cli/registry';

const root = path.join(__dirname, '..', '..');

describe('spikegrad CLI', () => {
  let out = '';
  let err = '';
  beforeEach(() => {
    out = '';
    err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      err += String(s);
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints the package version', async () => {
    expect(await main(['--version'])).toBe(0);
    const pkg = require(path.join(root, 'package.json')) as { version: string };
    expect(out.trim()).toBe(pkg.version);
  });

  it('prints help', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out).toMatch(/Usage: spikegrad/);
  });

  it('rejects an unknown command with exit status 2', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(err).toMatch(/unknown command 'frobnicate'/);
  });

  it('runs as an executable from dist/', () => {
    const dist = path.join(root, 'dist', 'cli', 'main.js');
    if (!fs.existsSync(dist)) return; // dist/ is built by `npm run build`; check:pack covers it too
    expect(execFileSync(process.execPath, [dist, '--version']).toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('spikegrad CLI command list', () => {
  afterEach(() => jest.restoreAllMocks());
  it('lists every registered experiment and suggests a command for a typo', async () => {
    let out = '';
    let err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
    expect(await main(['--help'])).toBe(0);
    for (const e of EXPERIMENTS) expect(out).toMatch(new RegExp(`\\n  ${e.name} +${e.summary.slice(0, 20).replace(/[()]/g, '\\$&')}`));
    expect(await main(['mnst'])).toBe(2);
    expect(err).toMatch(/unknown command 'mnst'; did you mean 'mnist'\?/);
  });
});
