/**
 * `spikegrad eval CASE.json`: one simulation and one gradient in the JSON case format
 * (docs/case-format.md). Prints one JSON object and exits 0; on invalid input prints one line to
 * stderr naming the field or the cause and exits 2 with nothing on stdout.
 */
import fs = require('fs');
import { caseOutput, parseCase } from '../trial/case';
import { simulate } from '../trial/simulate';
import { parseJson } from '../base/validate';

export const EVAL_USAGE = 'Usage: spikegrad eval CASE.json   (or - to read the case from stdin)';

/** Codes that mean the input was invalid (exit status 2) rather than a failure of spikegrad. */
const INPUT_ERRORS = new Set([
  'ERR_SPIKEGRAD_ARG',
  'ERR_SPIKEGRAD_SHAPE',
  'ERR_SPIKEGRAD_NONFINITE',
  'ERR_SPIKEGRAD_RANGE',
  'ERR_SPIKEGRAD_DOMAIN',
  'ERR_SPIKEGRAD_BUDGET',
  // Memory the case asks for (a record too large for its maxEvents and n, an allocation that failed).
  'ERR_SPIKEGRAD_MEMORY',
]);

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** Where a command writes: stdout and stderr by default, replaceable in tests. */
export interface CommandIO {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

export function evalCommand(args: string[], io: CommandIO = { out: process.stdout, err: process.stderr }): number {
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    (args.length === 1 ? io.out : io.err).write(`${EVAL_USAGE}\n`);
    return args.length === 1 ? 0 : 2;
  }
  const file = args[0];
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    io.err.write(`spikegrad eval: cannot read ${file}: ${oneLine((err as Error).message)}\n`);
    return 2;
  }
  let json: unknown;
  try {
    json = parseJson(text, 'the case'); // a key given twice is refused, not resolved to the last value
  } catch (err) {
    io.err.write(`spikegrad eval: ${file} is not valid JSON: ${oneLine((err as Error).message)}\n`);
    return 2;
  }
  try {
    const parsed = parseCase(json);
    const result = simulate(parsed.spec, { cotangent: parsed.cotangent });
    const output = caseOutput(parsed, result);
    const text = JSON.stringify(output, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite result ${v}`);
      return v;
    });
    io.out.write(`${text}\n`);
    return 0;
  } catch (err) {
    const e = err as Error & { code?: string };
    const input = e.code !== undefined && INPUT_ERRORS.has(e.code);
    io.err.write(`spikegrad eval: ${input ? '' : 'internal error: '}${oneLine(e.message)}\n`);
    return input ? 2 : 1;
  }
}
