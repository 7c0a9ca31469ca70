/**
 * Sweep specifications: `{"experiment", "options", "grid"}` expanded into trials (the Cartesian
 * product of the grid over the fixed options), each with an id that is a hash of its experiment
 * and options. A trial is untrusted input when it comes from a queue: {@link checkTrial} accepts
 * only the experiments the package defines, option names that are CLI options of that experiment
 * (camelCase), scalar values, and none of the options that choose where a trial writes (the
 * runner sets those under its own folder). The values are then checked by the experiment's own
 * command-line parser when the trial runs, exactly as on the command line.
 */
import crypto = require('crypto');
import { codedError, describe } from '../base/errors';
import { didYouMean, isRecord } from '../base/validate';

/** An option value of a trial: what a command-line flag can carry. */
export type OptionValue = string | number | boolean;
export type TrialOptions = Record<string, OptionValue>;

/** An experiment a sweep can run. */
export interface SweepExperiment {
  /** Options a trial may set (camelCase of the command's flags, without the reserved ones). */
  options: readonly string[];
  /** The JSON report the command writes into its --out folder (it has a `final` object of metrics). */
  report: string;
  /**
   * The options with every default filled in, as the command resolves them (the trial id is a
   * hash of these, so `{"epochs": 60}` and `{}` are the same trial when 60 is the default);
   * throws for values the command refuses (the id then hashes the options as given).
   */
  resolve?: (options: TrialOptions) => TrialOptions;
}

/**
 * The experiments a sweep can run, by name. The CLI builds it from its registry of commands
 * (`sweepCatalog` in lib/cli/sweep.ts), so a trial may set exactly the options of the command.
 */
export type SweepCatalog = Readonly<Record<string, SweepExperiment>>;

const kebab = (camel: string) => camel.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** camelCase of a command-line flag: `batch-size` is `batchSize`. */
export const camelCase = (flag: string): string => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Options the runner sets itself (where the trial writes, resumption, output). */
export const RESERVED_OPTIONS: readonly string[] = Object.freeze(['out', 'checkpoint', 'resume', 'quiet', 'help']);

/** One trial: an experiment and its options. */
export interface Trial {
  id: string;
  experiment: string;
  options: TrialOptions;
}

/** A sweep specification as read from JSON. */
export interface SweepSpec {
  experiment: string;
  options?: TrialOptions;
  grid?: Record<string, OptionValue[]>;
}

const specError = (message: string) => codedError(message, 'ERR_SPIKEGRAD_SPEC');

function canonical(value: unknown): string {
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The trial id: the first 16 hex digits of the SHA-256 of the experiment and its options (key order does not matter). */
export function trialId(experiment: string, options: TrialOptions): string {
  return crypto.createHash('sha256').update(canonical({ experiment, options })).digest('hex').slice(0, 16);
}

/**
 * Checks a trial's experiment and options (names and kinds; the values are checked by the
 * experiment's parser when it runs). Throws ERR_SPIKEGRAD_SPEC.
 */
export function checkTrial(catalog: SweepCatalog, experiment: unknown, options: unknown): Trial {
  if (typeof experiment !== 'string' || !Object.hasOwn(catalog, experiment)) {
    const guess = typeof experiment === 'string' ? didYouMean(experiment, Object.keys(catalog)) : undefined;
    throw specError(`Unknown experiment ${describe(experiment)} (known: ${Object.keys(catalog).join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`);
  }
  if (!isRecord(options)) throw specError(`Expected an object of options but received ${describe(options)}`);
  const known = catalog[experiment].options;
  const out: TrialOptions = {};
  for (const key of Object.keys(options)) {
    if (RESERVED_OPTIONS.includes(key)) {
      throw specError(`Option '${key}' cannot be set in a sweep: the runner chooses where a trial writes and resumes it itself`);
    }
    if (!known.includes(key)) {
      const guess = didYouMean(key, known);
      throw specError(`Unknown option '${key}' for ${experiment} (known: ${known.join(', ')})${guess ? `; did you mean '${guess}'?` : ''}`);
    }
    const v = options[key];
    if (typeof v === 'number' ? !Number.isFinite(v) : typeof v !== 'string' && typeof v !== 'boolean') {
      throw specError(`Option '${key}' must be a string, a finite number or a boolean but received ${describe(v)}`);
    }
    if (typeof v === 'string' && (v.length > 4096 || v.includes('\0'))) throw specError(`Option '${key}' is not a plain string`);
    out[key] = v as OptionValue;
  }
  let resolved = out;
  try {
    resolved = catalog[experiment].resolve?.(out) ?? out;
  } catch {
    // a value the command refuses: the trial fails when it runs, with the command's message
  }
  return { id: trialId(experiment, resolved), experiment, options: out };
}

/** The command-line arguments of a trial's options (camelCase -> --kebab-case=value). */
export function trialArgs(options: TrialOptions): string[] {
  const args: string[] = [];
  for (const key of Object.keys(options).sort()) {
    const v = options[key];
    if (v === false) continue;
    // --flag=value, so that a value that starts with '-' is a value, never another option
    args.push(v === true ? `--${kebab(key)}` : `--${kebab(key)}=${String(v)}`);
  }
  return args;
}

/** Parses and expands a sweep specification into its trials (grid order: the last key varies fastest). */
export function expandSpec(catalog: SweepCatalog, spec: unknown): { spec: SweepSpec; trials: Trial[] } {
  if (!isRecord(spec)) throw specError(`Expected a sweep specification object but received ${describe(spec)}`);
  for (const key of Object.keys(spec)) {
    if (!['experiment', 'options', 'grid', 'description'].includes(key)) throw specError(`Unknown key '${key}' in the sweep specification (known: experiment, options, grid, description)`);
  }
  const base = spec.options ?? {};
  if (!isRecord(base)) throw specError(`Expected an object for options but received ${describe(base)}`);
  const grid = spec.grid ?? {};
  if (!isRecord(grid)) throw specError(`Expected an object for grid but received ${describe(grid)}`);
  const keys = Object.keys(grid);
  for (const k of keys) {
    const values = grid[k];
    if (!Array.isArray(values) || values.length === 0) throw specError(`Expected a non-empty array for grid.${k} but received ${describe(values)}`);
    if (Object.hasOwn(base, k)) throw specError(`'${k}' is both in options and in grid`);
  }
  let points: TrialOptions[] = [{ ...(base as TrialOptions) }];
  for (const k of keys) {
    const next: TrialOptions[] = [];
    for (const p of points) for (const v of grid[k] as OptionValue[]) next.push({ ...p, [k]: v });
    points = next;
  }
  if (points.length > 100000) throw specError(`The grid has ${points.length} trials (at most 100000)`);
  const trials = points.map((p) => checkTrial(catalog, spec.experiment, p));
  const seen = new Set<string>();
  for (const t of trials) {
    if (seen.has(t.id)) throw specError(`The grid repeats a trial (${JSON.stringify(t.options)})`);
    seen.add(t.id);
  }
  return { spec: { experiment: spec.experiment as string, options: base as TrialOptions, grid: grid as Record<string, OptionValue[]> }, trials };
}
