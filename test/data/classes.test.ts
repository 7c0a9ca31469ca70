/**
 * Class names of the known datasets (lib/data/classes.ts): the training and test labels of
 * MNIST and Fashion-MNIST are recognised by content, anything else is not.
 */
import fs = require('fs');
import path = require('path');
import { CLASS_NAMES, classNamesOf, identifyDataset, loadBundledDigits, loadIdxDataset } from '../../lib';

const sources: [string, string][] = [
  ['mnist', path.join(__dirname, '..', '..', '..', 'shared', 'datasets', 'mnist')],
  ['fashion-mnist', '/usr/share/datasets/fashion-mnist'],
];

describe('identifyDataset', () => {
  it.each(sources)('recognises the training and test labels of %s', (name, dir) => {
    if (!fs.existsSync(dir)) {
      console.log(`skipped: ${dir} is not here`);
      return;
    }
    const { train, test } = loadIdxDataset(dir);
    expect(identifyDataset(train.labels)).toBe(name);
    expect(identifyDataset(test.labels)).toBe(name);
    expect(classNamesOf(train.labels)).toBe(CLASS_NAMES[name as keyof typeof CLASS_NAMES]);
    // One label changed, or one missing: not that dataset any more.
    const changed = train.labels.slice();
    changed[123] = (changed[123] + 1) % 10;
    expect(identifyDataset(changed)).toBeUndefined();
    expect(identifyDataset(train.labels.subarray(1))).toBeUndefined();
  });

  it('does not recognise a subset (the bundled digits) or labels that are not bytes', () => {
    expect(identifyDataset(loadBundledDigits().labels)).toBeUndefined();
    expect(identifyDataset([0, 1, 2.5])).toBeUndefined();
    expect(identifyDataset([-1])).toBeUndefined();
    expect(classNamesOf([])).toBeUndefined();
  });

  it('has ten names per dataset, Fashion-MNIST with its garment names', () => {
    for (const names of Object.values(CLASS_NAMES)) expect(new Set(names).size).toBe(10);
    expect(CLASS_NAMES['fashion-mnist'][0]).toBe('T-shirt/top');
    expect(CLASS_NAMES['fashion-mnist'][9]).toBe('Ankle boot');
  });
});
