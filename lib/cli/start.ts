#!/usr/bin/env node
/**
 * `npm start`: `spikegrad mnist` with the quick start's settings, 20 epochs of batch 100 on the
 * bundled digits, as defaults. Options on the command line override them (`npm start -- --epochs
 * 5`); a plain `spikegrad mnist` keeps the paper's defaults (100 epochs, batch 1000).
 */
import { experimentCommand } from './experiments';
import { exitWith } from './main';
import type { CommandIO } from './eval';

/** The quick start's defaults for `spikegrad mnist`. */
export const START_DEFAULTS = { epochs: 20, 'batch-size': 100 } as const;

/** Runs `npm start` with these arguments; returns the exit status. */
export function startCommand(args: string[], io?: CommandIO): Promise<number> {
  return experimentCommand('mnist', args, io, START_DEFAULTS);
}

if (require.main === module) exitWith(startCommand(process.argv.slice(2)));
