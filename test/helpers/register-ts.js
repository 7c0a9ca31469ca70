// Lets a plain `node` child process (spawned by the robustness and fuzz tests) require the
// TypeScript sources in lib/ directly, so that it runs the same code as jest without a `tsc`
// build: `node -r ./test/helpers/register-ts.js lib/cli/main.ts eval case.json`.
// Each .ts file is transpiled on load with the project's TypeScript (CommonJS, no type check);
// the output is cached in the system temp folder, keyed by path, size, mtime and TS version.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const options = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};
const cacheDir = path.join(os.tmpdir(), `spikegrad-ts-cache-${process.getuid ? process.getuid() : 0}`);

require.extensions['.ts'] = function compile(module, filename) {
  const stat = fs.statSync(filename);
  const key = crypto.createHash('sha1').update(`${filename}\0${stat.size}\0${stat.mtimeMs}\0${ts.version}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    const source = fs.readFileSync(filename, 'utf8');
    output = ts.transpileModule(source, { compilerOptions: options, fileName: filename }).outputText;
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const tmp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, output);
      fs.renameSync(tmp, cached);
    } catch {
      // A read-only temp folder only costs speed.
    }
  }
  module._compile(output, filename);
};
