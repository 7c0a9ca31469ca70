/**
 * Where the MNIST-style datasets come from and how a downloaded file is verified: the public
 * mirrors of each dataset (tried in order by downloadDataset) and, for each of its four IDX
 * files, the expected IDX header and size and the checksums that decide whether a file is the
 * real one.
 *
 * Compressed bytes differ between mirrors (each may gzip the same data differently), so a file
 * is verified by the md5 of its UNCOMPRESSED bytes wherever that md5 is established:
 *
 * - MNIST: the md5s of the four official uncompressed files, as published with the dataset and
 *   recorded in ../shared/datasets/mnist/README.md of this project (whose files match them).
 * - Fashion-MNIST: computed here from the uncompressed files of the Debian package
 *   dataset-fashion-mnist (0.0~git20200523.55506a9-1, /usr/share/datasets/fashion-mnist) and
 *   identical to the raw-file md5s other public loaders carry; the official .gz files' own md5s
 *   (Zalando's README) differ from Debian's recompressed ones, the uncompressed bytes agree.
 * - KMNIST: no md5 of the uncompressed files is published. A KMNIST file is accepted when the
 *   SHA-256 and the md5 of the COMPRESSED file equal those of the official files on
 *   codh.rois.ac.jp (the md5s as torchvision's KMNIST carries them, the SHA-256s as torchvision's
 *   dataset prototypes, torch.rb and other loaders carry them) and the decompressed data has the
 *   expected IDX header and size. A mirror must therefore serve the official .gz bytes; an
 *   uncompressed KMNIST file already on disk can be checked only by its header and size.
 */

/** The datasets `downloadDataset` and `spikegrad data` know. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'kmnist';

/** One IDX file of a dataset and what a correct copy looks like. */
export interface IdxFileSpec {
  /** The file name without `.gz`, as `loadIdxDataset` looks for it. */
  name: string;
  /** The IDX dimensions (all four files are uint8: magic 0x00 0x00 0x08 ndims). */
  dims: readonly number[];
  /** Size of the uncompressed file in bytes (header included). */
  bytes: number;
  /** md5 of the uncompressed file, where established. */
  md5?: string;
  /** Digests of the official compressed file, used where the uncompressed md5 is not known. */
  gz?: { md5: string; sha256: string };
}

/** A dataset: its mirrors (each a base URL the file names are appended to) and its files. */
export interface DatasetSource {
  name: DatasetName;
  title: string;
  homepage: string;
  licence: string;
  /** Base URLs ending in `/`, tried in order; each serves `<name>.gz` for every file. */
  mirrors: readonly string[];
  files: readonly IdxFileSpec[];
  /** How the files are verified, in words (printed by `spikegrad data`). */
  verification: string;
}

const TRAIN_IMAGES = { name: 'train-images-idx3-ubyte', dims: [60000, 28, 28], bytes: 47040016 } as const;
const TRAIN_LABELS = { name: 'train-labels-idx1-ubyte', dims: [60000], bytes: 60008 } as const;
const TEST_IMAGES = { name: 't10k-images-idx3-ubyte', dims: [10000, 28, 28], bytes: 7840016 } as const;
const TEST_LABELS = { name: 't10k-labels-idx1-ubyte', dims: [10000], bytes: 10008 } as const;

const UNCOMPRESSED_MD5 = 'the md5 of each uncompressed file, and its IDX header and size';

export const DATASETS: Readonly<Record<DatasetName, DatasetSource>> = {
  mnist: {
    name: 'mnist',
    title: 'MNIST',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    licence: 'CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)',
    mirrors: [
      'https://ossci-datasets.s3.amazonaws.com/mnist/', // PyTorch's mirror (torchvision)
      'https://storage.googleapis.com/cvdf-datasets/mnist/', // the CVDF mirror (TensorFlow, JAX examples)
      'http://yann.lecun.com/exdb/mnist/', // the original site, often unavailable
    ],
    files: [
      { ...TRAIN_IMAGES, md5: '6bbc9ace898e44ae57da46a324031adb' },
      { ...TRAIN_LABELS, md5: 'a25bea736e30d166cdddb491f175f624' },
      { ...TEST_IMAGES, md5: '2646ac647ad5339dbf082846283269ea' },
      { ...TEST_LABELS, md5: '27ae3e4e09519cfbb04c329615203637' },
    ],
    verification: UNCOMPRESSED_MD5,
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    licence: 'MIT (Zalando SE)',
    mirrors: [
      'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/', // the official links (Zalando's README)
      'https://fashion-mnist.s3.eu-central-1.amazonaws.com/', // the same bucket over HTTPS
      'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/', // the official repository
    ],
    files: [
      { ...TRAIN_IMAGES, md5: 'f4a8712d7a061bf5bd6d2ca38dc4d50a' },
      { ...TRAIN_LABELS, md5: '9018921c3c673c538a1fc5bad174d6f9' },
      { ...TEST_IMAGES, md5: '8181f5470baa50b63fa0f6fddb340f0a' },
      { ...TEST_LABELS, md5: '15d484375f8d13e6eb1aabb0c3f46965' },
    ],
    verification: UNCOMPRESSED_MD5,
  },
  kmnist: {
    name: 'kmnist',
    title: 'Kuzushiji-MNIST',
    homepage: 'https://github.com/rois-codh/kmnist',
    licence: 'CC BY-SA 4.0 ("KMNIST Dataset" (created by CODH), adapted from "Kuzushiji Dataset" (created by NIJL and others), doi:10.20676/00000341)',
    mirrors: [
      'https://codh.rois.ac.jp/kmnist/dataset/kmnist/', // the official host
      'http://codh.rois.ac.jp/kmnist/dataset/kmnist/', // the same, as linked from the KMNIST README
    ],
    files: [
      {
        ...TRAIN_IMAGES,
        gz: { md5: 'bdb82020997e1d708af4cf47b453dcf7', sha256: '51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4' },
      },
      {
        ...TRAIN_LABELS,
        gz: { md5: 'e144d726b3acfaa3e44228e80efcd344', sha256: 'e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17' },
      },
      {
        ...TEST_IMAGES,
        gz: { md5: '5c965bf0a639b31b8f53240b1b52f4d7', sha256: 'edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5' },
      },
      {
        ...TEST_LABELS,
        gz: { md5: '7320c461ea6c1c855c0b718fb2a4b134', sha256: '20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c' },
      },
    ],
    verification:
      'the SHA-256 and md5 of each official compressed file (no md5 of the uncompressed KMNIST files is published), and the IDX header and size of the decompressed data',
  },
};

/** The dataset names, in the order they are listed. */
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];
