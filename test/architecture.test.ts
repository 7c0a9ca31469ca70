/**
 * The architecture of lib/ as a checked rule: the import graph of its TypeScript files (import,
 * import type, export ... from, import = require, require() and import(), as TypeScript's own
 * preprocessor reads them) has no cycle, and every import between folders goes down the layers of
 * LAYERS: a folder imports only itself and the folders listed for it. In particular base/,
 * neurons/, trial/, network/, topology/ and data/ never import training/, experiments/, cli/ or
 * report/, and the network layer does not depend on the training layer.
 */
import fs = require('fs');
import path = require('path');
import ts = require('typescript');

const root = path.join(__dirname, '..');
const lib = path.join(root, 'lib');

/** Each folder of lib/ (a layer) and the folders its files may import besides their own. */
const LAYERS: Readonly<Record<string, readonly string[]>> = {
  /** Native loading, errors, the one validation module, files, version, random numbers. */
  base: [],
  /** Neuron models. */
  neurons: ['base'],
  /** One trial (simulate) and its JSON case format. */
  trial: ['base', 'neurons'],
  /** Network, input batches, output batches, model files. */
  network: ['base', 'neurons', 'trial'],
  /** Network builders. */
  topology: ['base', 'neurons', 'network'],
  /** Datasets, image encoding, dataset readers. */
  data: ['base', 'network'],
  /** Losses, optimisers, the trainer, checkpoints. */
  training: ['base', 'neurons', 'trial', 'network', 'topology', 'data'],
  /** SVG figures and HTML reports. */
  report: ['base'],
  /** The paper's experiments and their reports. */
  experiments: ['base', 'neurons', 'trial', 'network', 'topology', 'data', 'training', 'report'],
  /** The spikegrad command line. */
  /** Sweeps: trial specifications, the local pool and the BullMQ queue (trials run lib/cli/trial_child.ts by path). */
  sweep: ['base', 'neurons', 'trial', 'network', 'topology', 'data', 'training', 'report', 'experiments'],
  cli: ['base', 'neurons', 'trial', 'network', 'topology', 'data', 'training', 'report', 'experiments', 'sweep'],
};

/** Files directly in lib/ and what they may import. */
const TOP_LEVEL: Readonly<Record<string, readonly string[] | 'all'>> = {
  /** The public API. */
  'index.ts': 'all',
};

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every .ts file under dir (declaration files excluded), as paths relative to lib/ with '/'. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(full));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path.relative(lib, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/** The file a relative specifier names, relative to lib/, or undefined. */
function resolve(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return [base, `${base}.ts`, `${base}/index.ts`].find((f) => files.has(f));
}

/** The import graph of lib/: file -> the lib/ files it imports. Throws on an unresolved relative import. */
function importGraph(): Graph {
  const files = sources(lib);
  const set = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(lib, file), 'utf8'), true, true);
    const targets: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue; // node built-ins and packages
      const target = resolve(file, fileName, set);
      if (target === undefined) throw new Error(`${file}: cannot resolve the import '${fileName}'`);
      targets.push(target);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components with more than one file, or a self-import. */
export function cycles(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The layer of a file: its folder under lib/, or the file name for a file directly in lib/. */
const layerOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);

/** Imports that break the layer rules, as "from -> to (why)". */
export function violations(graph: Graph, layers = LAYERS, topLevel = TOP_LEVEL): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const own = layerOf(from);
    const allowed = from.includes('/') ? layers[own] : topLevel[from];
    if (allowed === undefined) {
      out.push(`${from} (lib/${own} is not in the layer table of test/architecture.test.ts)`);
      continue;
    }
    for (const to of targets) {
      const theirs = layerOf(to);
      if (theirs === own || allowed === 'all') continue;
      if (!to.includes('/')) out.push(`${from} -> ${to} (only lib/index.ts may import a file directly in lib/)`);
      else if (!allowed.includes(theirs)) out.push(`${from} -> ${to} (${own} may import ${allowed.join(', ') || 'nothing'} only)`);
    }
  }
  return out;
}

describe('the import graph of lib/', () => {
  const graph = importGraph();

  it('is read completely: every file, with the imports the checks rely on', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('network/network.ts')).toEqual(expect.arrayContaining(['base/native.ts', 'network/inputs.ts', 'trial/simulate.ts']));
    expect(graph.get('index.ts')).toEqual(expect.arrayContaining(['training/losses/index.ts', 'network/output.ts'])); // export * / export from
    expect(graph.get('base/native.ts')).toEqual(['base/errors.ts', 'base/wasm.ts', 'base/native_types.ts']);
  });

  it('has no cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('follows the layers: the network layer never imports the training layer, nor base, neurons or data anything above them', () => {
    expect(violations(graph)).toEqual([]);
  });

  it('the layer table itself has no cycle and names only existing folders', () => {
    expect(cycles(new Map(Object.entries(LAYERS)))).toEqual([]);
    const folders = fs.readdirSync(lib, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'types').map((e) => e.name);
    expect(Object.keys(LAYERS).sort()).toEqual(folders.sort());
  });
});

describe('the checks find what they look for', () => {
  it('cycles: a loop of three files and a self-import, not a diamond', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', ['d.ts']],
      ['e.ts', ['f.ts', 'g.ts']],
      ['f.ts', ['h.ts']],
      ['g.ts', ['h.ts']],
      ['h.ts', []],
    ]);
    expect(cycles(g)).toEqual([['d.ts'], ['a.ts', 'b.ts', 'c.ts']]);
  });

  it('violations: an upward import, an unknown folder and a file directly in lib/', () => {
    const g = new Map([
      ['network/network.ts', ['training/losses/loss.ts', 'base/errors.ts', 'network/inputs.ts']],
      ['training/trainer.ts', ['network/network.ts']],
      ['extra/x.ts', []],
      ['data/datasets.ts', ['index.ts']],
    ]);
    expect(violations(g)).toEqual([
      'network/network.ts -> training/losses/loss.ts (network may import base, neurons, trial only)',
      'extra/x.ts (lib/extra is not in the layer table of test/architecture.test.ts)',
      'data/datasets.ts -> index.ts (only lib/index.ts may import a file directly in lib/)',
    ]);
  });
});

describe('the TSDoc examples of lib/', () => {
  /** The names lib/index.ts exports (values and types), as the TypeScript checker sees them. */
  const exported = (() => {
    const entry = path.join(lib, 'index.ts');
    const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true, types: [] });
    const checker = program.getTypeChecker();
    return new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!).map((s) => s.name));
  })();
  /** Every import statement inside a comment of a lib/ file: [file, specifier, names]. */
  const imports = sources(lib).flatMap((file) => {
    const text = fs.readFileSync(path.join(lib, file), 'utf8');
    const found: [string, string, string[]][] = [];
    for (const m of text.matchAll(/^\s*\*\s*import\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm)) {
      found.push([file, m[2], m[1].split(',').map((n) => n.trim().replace(/^type\s+/, '')).filter(Boolean)]);
    }
    return found;
  });

  it("import from 'spikegrad' only (the package exports nothing else), names that it exports", () => {
    expect(imports.length).toBeGreaterThanOrEqual(6);
    expect(exported.has('Network') && exported.has('OutputBatch')).toBe(true);
    for (const [file, spec, names] of imports) {
      expect(`${file}: ${spec}`).toBe(`${file}: spikegrad`);
      for (const name of names) expect(`${file}: ${name} ${exported.has(name) ? 'exported' : 'not exported'}`).toBe(`${file}: ${name} exported`);
    }
  });
});
