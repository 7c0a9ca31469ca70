#!/usr/bin/env node
/**
 * The `spikegrad` command line. Exit status: 0 on success, 2 on bad usage or bad input, 1 on an
 * unexpected failure.
 */
import { version } from '../base/version';
import { didYouMean } from '../base/validate';
import { evalCommand } from './eval';
import { dataCommand } from './data';
import { experimentCommand } from './experiments';
import { EXPERIMENTS, findExperiment } from './registry';
import { helpColumns } from './options';
import { sweepCommand, workerCommand } from './sweep';

/** The list of commands: eval and data, then every experiment of the registry. */
function usage(): string {
  const rows: [string, string][] = [
    ['eval CASE.json', 'simulate one case of the JSON case format and print its output times and the exact gradient (see docs/case-format.md); - reads the case from stdin'],
    ...EXPERIMENTS.map((e): [string, string] => [e.name, e.summary]),
    ['data NAME', 'download and verify mnist, fashion-mnist or kmnist into --out DIR, for spikegrad mnist --data DIR'],
    ['sweep SPEC.json', 'seed and hyperparameter sweeps of yinyang or mnist on local processes or BullMQ workers (docs/sweeps.md)'],
    ['worker', 'runs sweep trials from a BullMQ queue (--queue redis://HOST:PORT)'],
  ];
  return `Usage: spikegrad <command> [options]

Train spiking neural networks with exact, smooth gradient descent.

Commands:
${helpColumns(rows)}

  The experiments write an HTML report and a JSON file into --out (default ./reports);
  spikegrad COMMAND --help lists a command's options with their defaults.

Options:
  -h, --help     show this help
  -v, --version  print the version
`;
}

export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (first === 'eval') return evalCommand(argv.slice(1));
  if (first === 'data') return dataCommand(argv.slice(1));
  if (first === 'sweep') return sweepCommand(argv.slice(1));
  if (first === 'worker') return workerCommand(argv.slice(1));
  if (findExperiment(first) !== undefined) return experimentCommand(first, argv.slice(1));
  const guess = didYouMean(first, ['eval', 'data', 'sweep', 'worker', ...EXPERIMENTS.map((e) => e.name)]);
  process.stderr.write(`spikegrad: unknown command '${first}'${guess === undefined ? '' : `; did you mean '${guess}'?`} (see spikegrad --help)\n`);
  return 2;
}

/** Sets the process's exit status from a command's promise (1, with the stack, if it throws). */
export function exitWith(run: Promise<number>): void {
  run.then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`spikegrad: ${String((err as Error)?.stack ?? err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) exitWith(main(process.argv.slice(2)));
