/**
 * Class names of the known image datasets, and which dataset a set of labels came from, so that
 * experiments store the names with the model (Network.classes) and reports can show them.
 *
 * A labelled set is recognised by the md5 of the IDX label file its labels make (magic
 * 0x00000801, the count, one byte per label): the uncompressed md5s of sources.ts, so the
 * training or test labels of MNIST and Fashion-MNIST are recognised whether they were read from
 * raw or gzipped files. KMNIST publishes no md5 of its uncompressed files, so its labels are not
 * recognised by content (pass `CLASS_NAMES.kmnist` yourself).
 */
import crypto = require('crypto');
import { DATASETS, type DatasetName } from './sources';

/** The classes of each dataset, by label. */
export const CLASS_NAMES: Readonly<Record<DatasetName, readonly string[]>> = Object.freeze({
  mnist: Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
  // Zalando's labels (github.com/zalandoresearch/fashion-mnist, README "Labels").
  'fashion-mnist': Object.freeze(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']),
  // The hiragana of KMNIST's kmnist_classmap.csv (o, ki, su, tsu, na, ha, ma, ya, re, wo).
  kmnist: Object.freeze(['お', 'き', 'す', 'つ', 'な', 'は', 'ま', 'や', 'れ', 'を']),
});

/**
 * The dataset whose training or test labels these are (exactly, all of them, in file order), or
 * undefined.
 *
 * @example
 * ```ts
 * const { train } = loadIdxDataset('/usr/share/datasets/fashion-mnist');
 * identifyDataset(train.labels); // 'fashion-mnist'
 * ```
 */
export function identifyDataset(labels: ArrayLike<number>): DatasetName | undefined {
  const bytes = Buffer.alloc(8 + labels.length);
  bytes.writeUInt32BE(0x00000801, 0);
  bytes.writeUInt32BE(labels.length, 4);
  for (let k = 0; k < labels.length; k++) {
    const y = labels[k];
    if (!Number.isInteger(y) || y < 0 || y > 255) return undefined;
    bytes[8 + k] = y;
  }
  const md5 = crypto.createHash('md5').update(bytes).digest('hex');
  for (const source of Object.values(DATASETS)) {
    if (source.files.some((f) => f.name.includes('labels') && f.md5 === md5)) return source.name;
  }
  return undefined;
}

/** The class names of the dataset these labels came from ({@link identifyDataset}), or undefined. */
export function classNamesOf(labels: ArrayLike<number>): readonly string[] | undefined {
  const name = identifyDataset(labels);
  return name === undefined ? undefined : CLASS_NAMES[name];
}
