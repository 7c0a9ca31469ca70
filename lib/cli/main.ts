#!/usr/bin/env node
/**
 * The `spikegrad` command line. Exit status: 0 on success, 2 on bad usage or bad input, 1 on an
 * unexpected failure.
 */
import { version } from '../base/version';
import { evalCommand } from './eval';
import { dataCommand } from './data';
import { EXPERIMENT_USAGE, experimentCommand } from './experiments';
import { yinYangCommand } from './yinyang';
import { sweepCommand, workerCommand } from './sweep';

const USAGE = `Usage: spikegrad <command> [options]

Train spiking neural networks with exact, smooth gradient descent.

Commands:
  eval CASE.json   simulate one case of the JSON case format and print its output times and
                   the exact gradient (see docs/case-format.md); - reads the case from stdin
  concept          spike time against weight and input time, QIF versus LIF (paper Fig. 1)
  single-neuron    a silent neuron learns two spike times via pseudospikes (Fig. 2)
  rnn              recurrent neurons learn target spike trains (Fig. 3)
  mnist            the deep, initially silent theta network on MNIST digits (Fig. 4)
  yinyang          the Yin-Yang task against EventProp (a 5-H-3 spiking network)
  sweep SPEC.json  seed and hyperparameter sweeps on local processes or BullMQ (docs/sweeps.md)
  worker           runs sweep trials from a BullMQ queue (--queue redis://...)
  data NAME        download and verify mnist, fashion-mnist or kmnist into --out DIR, for
                   spikegrad mnist --data DIR

  The experiments write an HTML report and a JSON file into --out (default ./reports);
  spikegrad COMMAND --help lists a command's options.

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

export async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  if (first === 'eval') return evalCommand(argv.slice(1));
  if (first === 'data') return dataCommand(argv.slice(1));
  if (first === 'yinyang') return yinYangCommand(argv.slice(1));
  if (first === 'sweep') return sweepCommand(argv.slice(1));
  if (first === 'worker') return workerCommand(argv.slice(1));
  if (Object.hasOwn(EXPERIMENT_USAGE, first)) return experimentCommand(first, argv.slice(1));
  process.stderr.write(`spikegrad: unknown command '${first}' (see spikegrad --help)\n`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`spikegrad: ${String((err as Error)?.stack ?? err)}\n`);
      process.exitCode = 1;
    },
  );
}
