/**
 * The dataset catalogue of lib/data/sources.ts: every file's size, IDX header and md5 are those of
 * the real files (MNIST: ../shared/datasets/mnist and the md5 table of its README; Fashion-MNIST:
 * the Debian package dataset-fashion-mnist), each checked only where the files are present; the
 * mirror lists are well-formed; KMNIST, without a published uncompressed md5, carries the
 * digests of the official compressed files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyIdxFile } from '../../lib/data/download';
import { DATASETS, DATASET_NAMES } from '../../lib/data/sources';

const mnistDir = path.join(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist');
const fashionDir = '/usr/share/datasets/fashion-mnist';

function whenPresent(dir: string, what: string): jest.Describe {
  if (fs.existsSync(dir)) return describe;
  console.log(`skipping the ${what} checks: ${dir} is absent`);
  return describe.skip;
}

describe('DATASETS', () => {
  it('lists mnist, fashion-mnist and kmnist, each with several mirrors and the four IDX files', () => {
    expect(DATASET_NAMES).toEqual(['mnist', 'fashion-mnist', 'kmnist']);
    for (const name of DATASET_NAMES) {
      const d = DATASETS[name];
      expect(d.name).toBe(name);
      expect(d.mirrors.length).toBeGreaterThanOrEqual(2);
      for (const m of d.mirrors) expect(m).toMatch(/^https?:\/\/[^/]+\/(.*\/)?$/);
      expect(new Set(d.mirrors).size).toBe(d.mirrors.length);
      expect(d.files.map((f) => f.name)).toEqual(['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']);
      for (const f of d.files) {
        expect(f.bytes).toBe(4 + 4 * f.dims.length + f.dims.reduce((a, b) => a * b, 1));
        expect(f.md5 !== undefined || f.gz !== undefined).toBe(true);
      }
    }
  });

  it('verifies MNIST and Fashion-MNIST by uncompressed md5s, KMNIST by the digests of its official .gz files', () => {
    for (const f of [...DATASETS.mnist.files, ...DATASETS['fashion-mnist'].files]) expect(f.md5).toMatch(/^[0-9a-f]{32}$/);
    for (const f of DATASETS.kmnist.files) {
      expect(f.md5).toBeUndefined();
      expect(f.gz!.md5).toMatch(/^[0-9a-f]{32}$/);
      expect(f.gz!.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(DATASETS.kmnist.verification).toMatch(/no md5 of the uncompressed KMNIST files is published/);
  });
});

whenPresent(mnistDir, 'MNIST catalogue')('the MNIST entries against the official files', () => {
  it('agree with the md5 table of ../shared/datasets/mnist/README.md', () => {
    const readme = fs.readFileSync(path.join(mnistDir, 'README.md'), 'utf8');
    for (const f of DATASETS.mnist.files) {
      const row = new RegExp(`\\| ${f.name}\\.gz \\| ([\\d,]+) \\| ([0-9a-f]{32}) \\|`).exec(readme);
      expect(row).not.toBeNull();
      expect([Number(row![1].replace(/,/g, '')), row![2]]).toEqual([f.bytes, f.md5]);
    }
  });

  it.each(DATASETS.mnist.files.map((f) => [f.name, f]))('%s verifies', async (name, spec) => {
    expect(await verifyIdxFile(path.join(mnistDir, `${name}.gz`), spec)).toEqual({ checked: 'md5 of the uncompressed bytes, IDX header and size' });
  });

  it('and a Fashion-MNIST file does not pass as MNIST', async () => {
    if (!fs.existsSync(fashionDir)) return;
    const v = await verifyIdxFile(path.join(fashionDir, 't10k-labels-idx1-ubyte.gz'), DATASETS.mnist.files[3]);
    expect(v.problem).toMatch(/md5 of the uncompressed bytes is 15d484375f8d13e6eb1aabb0c3f46965 but that of t10k-labels-idx1-ubyte is 27ae3e4e09519cfbb04c329615203637/);
  });
});

whenPresent(fashionDir, 'Fashion-MNIST catalogue')('the Fashion-MNIST entries against dataset-fashion-mnist', () => {
  it.each(DATASETS['fashion-mnist'].files.map((f) => [f.name, f]))('%s verifies', async (name, spec) => {
    expect((await verifyIdxFile(path.join(fashionDir, `${name}.gz`), spec)).problem).toBeUndefined();
  });
});
