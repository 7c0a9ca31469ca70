/**
 * What an experiment command is: a name, a line for `spikegrad --help`, a description and its
 * option table (lib/cli/options.ts) for `spikegrad NAME --help`, and the run. The registry
 * (lib/cli/registry.ts) lists the commands; `experimentCommand` (lib/cli/experiments.ts) parses
 * the options, prints the help, runs a command and maps its errors to exit statuses.
 */
import fs = require('fs');
import path = require('path');
import { writeFileAtomic } from '../base/files';
import { writeReport } from '../report';
import type { OptionSpec, ParsedOptions } from './options';
import type { CommandIO } from './eval';

/** The options every experiment command has, after its own. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'out', type: 'string', arg: 'DIR', default: 'reports', meaning: 'the folder for the HTML report, the JSON numbers (and checkpoints)' },
  { name: 'quiet', type: 'boolean', meaning: 'no progress messages on stderr' },
  {
    name: 'dashboard',
    type: 'integer',
    arg: 'PORT',
    min: 0,
    max: 65535,
    implicit: 8080,
    meaning: 'serve a live, read-only view of the report on http://127.0.0.1:PORT/ while the run lasts (PORT 8080 when left out; 0: any free port)',
  },
  {
    name: 'host',
    type: 'string',
    arg: 'ADDR',
    defaultText: '127.0.0.1',
    meaning: 'the address the dashboard binds to; any other than a loopback address makes it reachable from the network (a warning is printed)',
  },
  { name: 'help', short: 'h', type: 'boolean', meaning: 'show this help' },
];

/** An HTML report and the JSON numbers of a run. */
export interface ExperimentReport {
  html: string;
  json: unknown;
}

/** What a command's run gets. */
export interface ExperimentContext extends ParsedOptions {
  io: CommandIO;
  /** The --out folder. */
  out: string;
  quiet: boolean;
  /** Writes a progress message to stderr unless --quiet. */
  say(text: string): void;
  /**
   * Aborted on the first Ctrl-C (SIGINT): the run stops after its current step and the command
   * writes the report of what has run, then returns 130. A second Ctrl-C ends the process.
   */
  signal: AbortSignal;
  /** The live view (--dashboard), when one runs: show a report so far, or a progress line. */
  live?: { update(report: ExperimentReport): void; progress(text: string): void };
  /** Writes OUT/NAME.html and OUT/NAME.json atomically and prints their paths. */
  write(name: string, report: ExperimentReport): void;
}

/** One experiment command of the CLI (one entry of the registry). */
export interface ExperimentCommand {
  /** The command word: `spikegrad NAME`. */
  name: string;
  /** One line for `spikegrad --help`. */
  summary: string;
  /** What the command does, for `spikegrad NAME --help` (lines of at most 100 characters). */
  description: string;
  /** Its options (the common ones are added). */
  options: readonly OptionSpec[];
  /** Runs it; returns the exit status. Throws a UsageError for bad combinations of options. */
  run(context: ExperimentContext): Promise<number>;
}

/** Writes a report pair and prints where. */
export function writeOutputs(outDir: string, name: string, report: ExperimentReport, io: CommandIO): void {
  fs.mkdirSync(outDir, { recursive: true });
  const html = path.join(outDir, `${name}.html`);
  const json = path.join(outDir, `${name}.json`);
  writeReport(html, report.html);
  writeFileAtomic(json, JSON.stringify(report.json, null, 1));
  io.out.write(`report: ${html}\nnumbers: ${json}\n`);
}
