/**
 * The command-line options of the Yin-Yang experiment, declared once: `spikegrad yinyang` parses
 * and documents them from this table (lib/cli/yinyang.ts), and sweeps accept exactly these names
 * (camelCase) in a trial (lib/sweep/spec.ts).
 */
import { YINYANG_DEFAULTS, YINYANG_NEURONS } from './yinyang';

/** One option of a command: its flag, kind, the API option it sets, its default and meaning. */
export interface CliOption {
  flag: string;
  kind: 'int' | 'number' | 'string' | 'boolean' | 'choice';
  /** The key of the experiment's API options it sets. */
  key?: string;
  default?: string | number | boolean;
  min?: number;
  max?: number;
  choices?: readonly string[];
  help: string;
}

const D = YINYANG_DEFAULTS;

export const YINYANG_CLI_OPTIONS: readonly CliOption[] = Object.freeze([
  { flag: 'neuron', kind: 'choice', key: 'neuron', default: D.neuron, choices: YINYANG_NEURONS, help: 'neuron model of both layers' },
  { flag: 'hidden', kind: 'int', key: 'hidden', default: D.hidden, min: 1, max: 100000, help: 'hidden neurons' },
  { flag: 'epochs', kind: 'int', key: 'epochs', default: D.epochs, min: 0, max: 1e6, help: 'epochs' },
  { flag: 'batch-size', kind: 'int', key: 'batchSize', default: D.batchSize, min: 1, max: 1e6, help: 'samples per step' },
  { flag: 'lr', kind: 'number', key: 'lr', default: D.lr, min: 1e-9, max: 10, help: 'initial AdaBelief step size' },
  { flag: 'lr-decay', kind: 'number', key: 'lrDecay', default: D.lrDecay, min: 1e-3, max: 1e9, help: 'step-size decay time in epochs (lr exp(-epoch / lr-decay))' },
  { flag: 'gamma', kind: 'number', key: 'gamma', default: D.gamma, min: 0, max: 1e3, help: 'weight of the early-spike regulariser' },
  { flag: 'w-scale', kind: 'number', key: 'wScale', default: D.wScale, min: 1e-6, max: 1e6, help: 'initial weights ~ U(+-w-scale / sqrt(fan-in))' },
  { flag: 't-end', kind: 'number', key: 'T', default: D.T, min: 1e-6, max: 1e6, help: 'trial length T' },
  { flag: 't-early', kind: 'number', key: 'tEarly', default: D.tEarly, min: 0, max: 1e6, help: 'input spike time of the value 0' },
  { flag: 't-late', kind: 'number', key: 'tLate', default: D.tLate, min: 0, max: 1e6, help: 'input spike time of the value 1' },
  { flag: 't-bias', kind: 'number', key: 'bias', default: D.bias, min: 0, max: 1e6, help: 'time of the bias spike (channel 4)' },
  { flag: 'train-size', kind: 'int', key: 'trainSize', default: D.trainSize, min: 1, max: 1e7, help: 'training samples (seed 42)' },
  { flag: 'test-size', kind: 'int', key: 'testSize', default: D.testSize, min: 1, max: 1e7, help: 'test samples (seed 40)' },
  { flag: 'seed', kind: 'int', key: 'seed', default: 0, min: 0, max: 0xffffffff, help: 'seed of the weights and the shuffling' },
  { flag: 'threads', kind: 'int', key: 'threads', default: 0, min: 0, max: 1024, help: 'native threads (0: all cores; results do not depend on it)' },
  { flag: 'checkpoint', kind: 'string', help: 'checkpoint file, written every epoch and on Ctrl-C (default OUT/yinyang-checkpoint.sgm)' },
  { flag: 'resume', kind: 'boolean', help: 'continue from the checkpoint when it exists' },
  { flag: 'out', kind: 'string', default: 'reports', help: 'folder of the report' },
  { flag: 'quiet', kind: 'boolean', help: 'no progress lines' },
  { flag: 'help', kind: 'boolean', help: 'show this help' },
] as CliOption[]);

