/**
 * The source fallback off Linux: node-gyp's Xcode and make-mac (macOS) and MSVS (Windows)
 * generators ignore cflags_cc, so binding.gyp repeats its settings in xcode_settings and
 * msvs_settings. This test runs those generators here (gyp writes project files for any OS) on a
 * copy of binding.gyp and reads the flags in the generated projects.
 */
import { spawnSync } from 'child_process';
import fs = require('fs');
import os = require('os');
import path = require('path');

const root = path.join(__dirname, '..', '..');
const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
/** The installed Node's headers and common.gypi (node-gyp would otherwise download them). */
const nodedir = path.resolve(process.execPath, '..', '..');
const haveHeaders = fs.existsSync(path.join(nodedir, 'include', 'node', 'common.gypi'));
const skip = !fs.existsSync(nodeGyp) ? 'node-gyp is not installed' : !haveHeaders ? `no Node headers under ${nodedir}/include/node` : '';
if (skip) console.log(`binding.gyp generator test skipped: ${skip}`);
const maybe = skip ? describe.skip : describe;

/** Runs `node-gyp configure -- -f <format> ...` in a fresh copy of the build files; returns build/. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function generate(format: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spikegrad-gyp-${format}-`));
  made.push(dir);
  fs.mkdirSync(path.join(dir, 'native'));
  fs.copyFileSync(path.join(root, 'binding.gyp'), path.join(dir, 'binding.gyp'));
  fs.copyFileSync(path.join(root, 'native', 'sources.json'), path.join(dir, 'native', 'sources.json'));
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // make-mac stops at "No Xcode or CLT version detected!" without an xcodebuild on PATH.
  const fakebin = path.join(dir, 'fakebin');
  fs.mkdirSync(fakebin);
  fs.writeFileSync(path.join(fakebin, 'xcodebuild'), '#!/bin/sh\necho "Xcode 15.0"\necho "Build version 15A240d"\n', { mode: 0o755 });
  // MSVS 2022 needs a Windows SDK version, which Linux cannot detect.
  fs.writeFileSync(path.join(dir, 'linux-msvs.gypi'), "{'target_defaults': {'msvs_windows_target_platform_version': '10.0.22621.0'}}");
  const r = spawnSync(process.execPath, [nodeGyp, 'configure', `--nodedir=${nodedir}`, '--', '-f', format, ...extra], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakebin}${path.delimiter}${process.env.PATH ?? ''}`, ...env },
  });
  if (r.status !== 0) throw new Error(`node-gyp configure -f ${format} failed:\n${r.stdout}\n${r.stderr}`);
  return path.join(dir, 'build');
}

/** The value of a make variable (a backslash-continued list) as an array of flags. */
function makeVar(mk: string, name: string): string[] {
  const m = new RegExp(`^${name} := ((?:.*\\\\\\n)*.*)$`, 'm').exec(mk);
  if (!m) throw new Error(`${name} not found`);
  return m[1]
    .split('\\\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

maybe('binding.gyp on macOS and Windows (generated here)', () => {
  jest.setTimeout(120_000);
  const isX64 = process.arch === 'x64';

  it('make-mac (what node-gyp uses on macOS): -O3, hidden symbols, C++17, exceptions, native include dir', () => {
    const mk = fs.readFileSync(path.join(generate('make-mac'), 'spikegrad.target.mk'), 'utf8');
    const cflags = makeVar(mk, 'CFLAGS_Release');
    const cxxflags = makeVar(mk, 'CFLAGS_CC_Release');
    expect(cflags).toEqual(expect.arrayContaining(['-O3', '-fvisibility=hidden', '-mmacosx-version-min=11.0']));
    expect(cxxflags).toContain('-std=c++17');
    expect(cxxflags).toContain('-ffp-contract=off');
    expect(cxxflags).toContain('-fno-math-errno');
    // node-addon-api's except target turns C++ exceptions on; -fno-exceptions must not appear.
    expect(cxxflags).not.toContain('-fno-exceptions');
    if (isX64) expect(cxxflags).toEqual(expect.arrayContaining(['-march=x86-64-v2', '-mtune=generic']));
    expect(makeVar(mk, 'INCS_Release')).toContain('-I$(srcdir)/native');
  });

  it('Xcode project: the same settings as build settings', () => {
    const dir = generate('xcode');
    const pbx = fs.readFileSync(path.join(dir, 'binding.xcodeproj', 'project.pbxproj'), 'utf8');
    for (const line of ['GCC_OPTIMIZATION_LEVEL = 3;', 'GCC_SYMBOLS_PRIVATE_EXTERN = YES;', 'CLANG_CXX_LANGUAGE_STANDARD = "c++17";', 'GCC_ENABLE_CPP_EXCEPTIONS = YES;', 'MACOSX_DEPLOYMENT_TARGET = 11.0;']) {
      expect(pbx).toContain(line);
    }
    expect(pbx).toMatch(/HEADER_SEARCH_PATHS = \([^)]*\bnative,/);
    if (isX64) expect(pbx).toMatch(/OTHER_CPLUSPLUSFLAGS = \(\s*"\$\(inherited\)",\s*"-ffp-contract=off",\s*"-fno-math-errno",\s*"-march=x86-64-v2",/);
    else expect(pbx).toMatch(/OTHER_CPLUSPLUSFLAGS = \(\s*"\$\(inherited\)",\s*"-ffp-contract=off",\s*"-fno-math-errno",/);
  });

  it('MSVS 2022 project: full optimisation, C++17, /EHsc, no /analyze, native include dir', () => {
    // gyp's easy_xml crashes writing the .filters file under a UTF-8 locale.
    const dir = generate('msvs', ['-G', 'msvs_version=2022', '-I', 'linux-msvs.gypi'], { LC_ALL: 'en_US.ISO-8859-1' });
    const vcx = fs.readFileSync(path.join(dir, 'spikegrad.vcxproj'), 'utf8');
    const at = vcx.indexOf(`<ItemDefinitionGroup Condition="'$(Configuration)|$(Platform)'=='Release|x64'">`);
    expect(at).toBeGreaterThan(0);
    const release = vcx.slice(at);
    const compile = /<ClCompile>([\s\S]*?)<\/ClCompile>/.exec(release)?.[1] ?? '';
    expect(compile).toContain('<Optimization>Full</Optimization>');
    expect(compile).toMatch(/<AdditionalOptions>[^<]*\/std:c\+\+17/);
    expect(compile).toContain('<ExceptionHandling>Sync</ExceptionHandling>');
    expect(compile).toContain('<EnablePREfast>false</EnablePREfast>');
    expect(compile).toMatch(/<AdditionalIncludeDirectories>[^<]*\.\.\\native;/);
    // MSVC has no x86-64-v2 switch: no -march reaches the Windows project.
    expect(vcx).not.toContain('-march');
  });
});
