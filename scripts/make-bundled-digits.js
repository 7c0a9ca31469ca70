#!/usr/bin/env node
// Builds data/mnist-10k/, the digits shipped in the package: the first 10,000 images and labels
// of the official MNIST training set, as a gzipped IDX pair. The source is a folder of the four
// official MNIST files (raw or gzipped), by default ../shared/datasets/mnist; each source file
// is checked against the md5 of the official uncompressed file before anything is written.
//
//   node scripts/make-bundled-digits.js [--from DIR] [--check]
//
// --check rebuilds in memory and exits 1 unless the committed files decompress to the same bytes
// (the gzip bytes themselves may differ between zlib versions; this script writes zlib level 9
// with no file name and no time stamp in the gzip header).
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const root = path.join(__dirname, '..');
const outDir = path.join(root, 'data', 'mnist-10k');
const COUNT = 10000;
const PIXELS = 28 * 28;

// md5 of the official uncompressed training files (yann.lecun.com/exdb/mnist; the same values are
// in lib/data/sources.ts and ../shared/datasets/mnist/README.md).
const OFFICIAL = {
  'train-images-idx3-ubyte': { md5: '6bbc9ace898e44ae57da46a324031adb', bytes: 47040016 },
  'train-labels-idx1-ubyte': { md5: 'a25bea736e30d166cdddb491f175f624', bytes: 60008 },
};

function args() {
  const argv = process.argv.slice(2);
  const o = { from: path.join(root, '..', 'shared', 'datasets', 'mnist'), check: false };
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--from') o.from = argv[++k];
    else if (argv[k] === '--check') o.check = true;
    else throw new Error(`unknown argument ${argv[k]} (usage: make-bundled-digits.js [--from DIR] [--check])`);
  }
  return o;
}

function readOfficial(dir, name) {
  const candidates = [path.join(dir, name), path.join(dir, `${name}.gz`)];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`neither ${candidates.join(' nor ')} exists`);
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  const md5 = crypto.createHash('md5').update(bytes).digest('hex');
  const want = OFFICIAL[name];
  if (bytes.length !== want.bytes || md5 !== want.md5) {
    throw new Error(`${file}: ${bytes.length} bytes with md5 ${md5}, but the official ${name} has ${want.bytes} bytes with md5 ${want.md5}`);
  }
  return bytes;
}

/** The first COUNT records of an IDX file whose record size is `record` bytes. */
function head(bytes, headerBytes, record) {
  const out = Buffer.from(bytes.subarray(0, headerBytes + COUNT * record));
  out.writeUInt32BE(COUNT, 4); // the first dimension is the count
  return out;
}

const gzip = (b) => zlib.gzipSync(b, { level: 9, memLevel: 9 });
const md5 = (b) => crypto.createHash('md5').update(b).digest('hex');

function main() {
  const o = args();
  const images = head(readOfficial(o.from, 'train-images-idx3-ubyte'), 16, PIXELS);
  const labels = head(readOfficial(o.from, 'train-labels-idx1-ubyte'), 8, 1);
  const files = {
    'train-images-idx3-ubyte.gz': gzip(images),
    'train-labels-idx1-ubyte.gz': gzip(labels),
  };
  if (o.check) {
    let ok = true;
    for (const [name, bytes] of Object.entries(files)) {
      const file = path.join(outDir, name);
      const same = fs.existsSync(file) && zlib.gunzipSync(fs.readFileSync(file)).equals(zlib.gunzipSync(bytes));
      console.log(`${same ? 'same' : 'DIFFERENT'}: ${path.relative(root, file)}`);
      ok &&= same;
    }
    process.exit(ok ? 0 : 1);
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name), bytes);
  console.log(`images: ${images.length} bytes (md5 ${md5(images)}), gzipped ${files['train-images-idx3-ubyte.gz'].length}`);
  console.log(`labels: ${labels.length} bytes (md5 ${md5(labels)}), gzipped ${files['train-labels-idx1-ubyte.gz'].length}`);
}

try {
  main();
} catch (err) {
  console.error(`make-bundled-digits: ${err.message}`);
  process.exit(1);
}
