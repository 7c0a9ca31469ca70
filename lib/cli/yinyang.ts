/**
 * `spikegrad yinyang`: the Yin-Yang experiment as a command. Its options are declared once in
 * {@link YINYANG_CLI_OPTIONS} (lib/experiments/yinyang.options.ts: name, kind, default, meaning):
 * --help is generated from the table and the sweep runner checks trial option names against it.
 */
import fs = require('fs');
import path = require('path');
import { parseArgs } from 'util';
import { writeFileAtomic } from '../base/files';
import { didYouMean } from '../base/validate';
import { writeReport } from '../report';
import { runYinYang, type YinYangExperimentOptions } from '../experiments/yinyang';
import { YINYANG_CLI_OPTIONS, type CliOption } from '../experiments/yinyang.options';

export { YINYANG_CLI_OPTIONS, type CliOption };
import { yinYangReport } from '../experiments/yinyang.report';
import type { CommandIO } from './eval';

export const YINYANG_USAGE = `Usage: spikegrad yinyang [options]
  The Yin-Yang task (Kriener et al. 2022): a 5-H-3 spiking network, first-spike cross-entropy,
  AdaBelief; accuracy of the real spiking network (and with pseudospikes) against EventProp.
${YINYANG_CLI_OPTIONS.map((o) => {
  const left = `  --${o.flag}${o.kind === 'boolean' ? '' : o.kind === 'choice' ? ` ${o.choices!.join('|')}` : ' X'}`;
  return `${left.padEnd(28)} ${o.help}${o.default !== undefined ? ` (default ${String(o.default)})` : ''}`;
}).join('\n')}`;

/** A bad option value or an unknown option. */
export class CliUsageError extends Error {
  readonly code = 'ERR_SPIKEGRAD_USAGE';
}

/** Parses and checks the arguments against a table; returns flag -> checked value. */
export function parseTable(args: string[], table: readonly CliOption[]): Record<string, string | number | boolean> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const o of table) options[o.flag] = { type: o.kind === 'boolean' ? 'boolean' : 'string', ...(o.flag === 'help' ? { short: 'h' } : {}) };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    const m = /'(--?[^' ]+)'/.exec((err as Error).message);
    const name = m ? m[1].replace(/^-+/, '') : undefined;
    const guess = name !== undefined && name.length > 1 ? didYouMean(name, table.map((o) => o.flag)) : undefined;
    throw new CliUsageError(`${(err as Error).message}${guess ? ` (did you mean --${guess}?)` : ''}`);
  }
  const out: Record<string, string | number | boolean> = {};
  for (const o of table) {
    const v = values[o.flag];
    if (v === undefined) {
      if (o.default !== undefined) out[o.flag] = o.default;
      continue;
    }
    if (o.kind === 'boolean' || o.kind === 'string') {
      out[o.flag] = v;
      continue;
    }
    const text = String(v);
    if (o.kind === 'choice') {
      if (!o.choices!.includes(text)) throw new CliUsageError(`--${o.flag} must be one of ${o.choices!.join(', ')} (got ${text})`);
      out[o.flag] = text;
      continue;
    }
    const x = text.trim() === '' ? NaN : Number(text);
    const lo = o.min ?? -Infinity;
    const hi = o.max ?? Infinity;
    if (o.kind === 'int' && (!Number.isInteger(x) || x < lo || x > hi)) throw new CliUsageError(`--${o.flag} must be an integer in [${lo}, ${hi}] (got ${text})`);
    if (o.kind === 'number' && (!Number.isFinite(x) || x < lo || x > hi)) throw new CliUsageError(`--${o.flag} must be a number in [${lo}, ${hi}] (got ${text})`);
    out[o.flag] = x;
  }
  return out;
}

/** Runs `spikegrad yinyang`; returns the exit status. */
export async function yinYangCommand(args: string[], io: CommandIO = { out: process.stdout, err: process.stderr }): Promise<number> {
  let v: Record<string, string | number | boolean>;
  try {
    v = parseTable(args, YINYANG_CLI_OPTIONS);
  } catch (err) {
    io.err.write(`spikegrad yinyang: ${(err as Error).message}\n${YINYANG_USAGE}\n`);
    return 2;
  }
  if (v.help) return (io.out.write(`${YINYANG_USAGE}\n`), 0);
  const options: YinYangExperimentOptions = {};
  for (const o of YINYANG_CLI_OPTIONS) if (o.key !== undefined && v[o.flag] !== undefined) (options as Record<string, unknown>)[o.key] = v[o.flag];
  const out = String(v.out);
  const controller = new AbortController();
  const onSignal = () => {
    io.err.write('\nstopping after the current batch; the checkpoint is kept (resume with --resume)\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  try {
    fs.mkdirSync(out, { recursive: true });
    const checkpoint = typeof v.checkpoint === 'string' ? v.checkpoint : path.join(out, 'yinyang-checkpoint.sgm');
    const r = await runYinYang({
      ...options,
      checkpoint,
      resume: v.resume === true,
      signal: controller.signal,
      progress: !v.quiet && process.stderr.isTTY === true,
      onEpoch: (e) => {
        if (v.quiet || !e.test) return;
        io.err.write(`epoch ${e.epoch}: test accuracy ${e.test.accuracyOrdinary!.toFixed(4)} real spikes (${e.test.accuracy!.toFixed(4)} with pseudospikes), loss ${e.test.loss.toFixed(4)}\n`);
      },
    });
    const f = r.final;
    io.out.write(`test accuracy: ${(100 * f.accuracyOrdinary!).toFixed(2)}% real spikes only, ${(100 * f.accuracy!).toFixed(2)}% with pseudospikes; ${r.seconds.toFixed(1)} s\n`);
    const report = yinYangReport(r);
    const html = path.join(out, 'yinyang.html');
    const json = path.join(out, 'yinyang.json');
    writeReport(html, report.html);
    writeFileAtomic(json, JSON.stringify(report.json, null, 1));
    io.out.write(`report: ${html}\nnumbers: ${json}\n`);
    return 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ABORT_ERR') {
      io.err.write(`spikegrad yinyang: ${e.message}\n`);
      return 130;
    }
    io.err.write(`spikegrad yinyang: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
    return e.code !== undefined && e.code !== 'ERR_SPIKEGRAD_INTERNAL' ? 2 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
