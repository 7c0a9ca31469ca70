/**
 * `spikegrad data <mnist|fashion-mnist|kmnist> --out DIR`: downloads and verifies a dataset's
 * four IDX files into DIR (downloadDataset), the folder `spikegrad mnist --data DIR` reads.
 * Exit status 0 when all four files are verified, 2 for bad usage and for download and
 * verification errors (one line on stderr with the code), 130 when stopped with Ctrl-C (a
 * partial file is kept and resumed next time), 1 for anything unexpected.
 */
import { parseArgs } from 'util';
import { downloadDataset } from '../data/download';
import { DATASETS, DATASET_NAMES, type DatasetName } from '../data/sources';
import type { CommandIO } from './eval';

export const DATA_USAGE = `Usage: spikegrad data <${DATASET_NAMES.join('|')}> --out DIR [--mirror URL]... [--retries N] [--force] [--quiet]
  Downloads the four IDX files of MNIST, Fashion-MNIST or Kuzushiji-MNIST from public mirrors
  (tried in order), verifies each and writes them into DIR for spikegrad mnist --data DIR.
  Files already in DIR and verified are kept; an interrupted download resumes.
  --out DIR      the folder to write (created if needed)
  --mirror URL   a base URL serving the four .gz files; replaces the built-in mirrors; repeatable
  --retries N    retries per mirror after a dropped connection or a server error (default 4)
  --force        replace files in DIR that fail verification instead of stopping
  --quiet        no progress messages`;

/** Codes that mean the input or the data was bad (exit status 2). */
const EXPECTED = new Set(['ERR_SPIKEGRAD_ARG', 'ERR_SPIKEGRAD_DOWNLOAD', 'ERR_SPIKEGRAD_CHECKSUM', 'ERR_SPIKEGRAD_LOAD']);

/** Runs `spikegrad data`; returns the exit status. */
export async function dataCommand(args: string[], io: CommandIO & { err: { isTTY?: boolean } } = { out: process.stdout, err: process.stderr }): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        out: { type: 'string' },
        mirror: { type: 'string', multiple: true },
        retries: { type: 'string' },
        force: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err.write(`spikegrad data: ${(err as Error).message}\n${DATA_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out.write(`${DATA_USAGE}\n`);
    return 0;
  }
  const usage = (problem: string) => {
    io.err.write(`spikegrad data: ${problem}\n${DATA_USAGE}\n`);
    return 2;
  };
  if (positionals.length !== 1) return usage(positionals.length === 0 ? 'name a dataset' : `one dataset at a time (got ${positionals.join(', ')})`);
  const name = positionals[0];
  if (!(DATASET_NAMES as string[]).includes(name)) return usage(`unknown dataset '${name}' (known: ${DATASET_NAMES.join(', ')})`);
  if (typeof values.out !== 'string' || values.out === '') return usage('--out DIR is required');
  let retries: number | undefined;
  if (values.retries !== undefined) {
    retries = Number(values.retries);
    if (!Number.isInteger(retries) || retries < 0) return usage(`--retries must be an integer >= 0 (got ${String(values.retries)})`);
  }
  const dir = values.out;
  const source = DATASETS[name as DatasetName];
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const r = await downloadDataset(source.name, dir, {
      mirrors: values.mirror as string[] | undefined,
      retries,
      force: values.force === true,
      progress: values.quiet ? false : io.err,
      signal: controller.signal,
    });
    const fetched = r.files.filter((f) => f.status === 'downloaded').length;
    io.out.write(
      `${source.title} in ${dir}: 4 files verified (${fetched} downloaded, ${4 - fetched} already there); checked: ${source.verification}\n` +
        `licence: ${source.licence}; ${source.homepage}\n` +
        `train on it: spikegrad mnist --data ${dir}\n`,
    );
    return 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ABORT_ERR') {
      io.err.write(`spikegrad data: stopped; run the same command again to resume\n`);
      return 130;
    }
    io.err.write(`spikegrad data: ${e.code !== undefined ? `${e.code}: ` : ''}${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
    return e.code !== undefined && EXPECTED.has(e.code) ? 2 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
