#!/usr/bin/env node
/**
 * The `spikegrad` command line. Exit status: 0 on success, 2 on bad usage or bad input, 1 on an
 * unexpected failure.
 */
import { version } from '../version';
import { evalCommand } from './eval';

const USAGE = `Usage: spikegrad <command> [options]

Train spiking neural networks with exact, smooth gradient descent.

Commands:
  eval CASE.json   simulate one case of the JSON case format and print its output times and
                   the exact gradient (see docs/case-format.md); - reads the case from stdin

Options:
  -h, --help     show this help
  -v, --version  print the version
`;

export function main(argv: string[]): number {
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
  process.stderr.write(`spikegrad: unknown command '${first}' (see spikegrad --help)\n`);
  return 2;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
