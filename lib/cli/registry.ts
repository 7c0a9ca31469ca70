/**
 * The experiment commands of the CLI, one entry each. A new experiment is one module in
 * lib/cli/commands/ exporting an ExperimentCommand (lib/cli/command.ts) and one line here; its
 * options, --help, did-you-mean and the list of `spikegrad --help` follow from that entry.
 */
import type { ExperimentCommand } from './command';
import { concept } from './commands/concept';
import { singleNeuron } from './commands/single_neuron';
import { rnn } from './commands/rnn';
import { mnist } from './commands/mnist';
import { yinyang } from './commands/yinyang';

export const EXPERIMENTS: readonly ExperimentCommand[] = [concept, singleNeuron, rnn, mnist, yinyang];

/** The command of that name, or undefined. */
export function findExperiment(name: string): ExperimentCommand | undefined {
  return EXPERIMENTS.find((e) => e.name === name);
}
