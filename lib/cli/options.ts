/**
 * Command-line options from one table: each command declares its options once (name, type,
 * default, meaning), and the parser, the checks of the values and the `--help` text all come
 * from that table. An unknown option is refused with the closest known name (`didYouMean` of
 * lib/base/validate.ts).
 */
import { didYouMean } from '../base/validate';

/** One option of a command. */
export interface OptionSpec {
  /** The long name, without the dashes: `batch-size` is `--batch-size`. */
  name: string;
  /** integer and number values are checked against min and max; boolean options take no value. */
  type: 'integer' | 'number' | 'string' | 'boolean';
  /** What it does, for --help (one sentence, no trailing period). */
  meaning: string;
  /** The value when the option is not given (shown in --help unless defaultText is set). */
  default?: number | string | boolean;
  /** How --help shows the default when it is not a plain value ('all cores', '20001 with --grid'). */
  defaultText?: string;
  /** The placeholder of the value in --help: N, DIR, FILE (default N for numbers, VALUE otherwise). */
  arg?: string;
  /** Bounds of integer and number values (inclusive). */
  min?: number;
  max?: number;
  /** A one-letter alias: `h` for `-h`. */
  short?: string;
  /**
   * The value may be left out (`--dashboard` or `--dashboard 8080`): then this value is taken.
   * The next argument is read as the value only when it does not start with '-'.
   */
  implicit?: number | string;
}

/** Parsed values by option name (defaults filled in) and the names given on the command line. */
export interface ParsedOptions {
  values: Record<string, number | string | boolean | undefined>;
  given: ReadonlySet<string>;
}

/** A mistake on the command line: exit status 2 with the message and the usage. */
export class UsageError extends Error {
  readonly code = 'ERR_SPIKEGRAD_USAGE';
}

function convert(spec: OptionSpec, raw: string): number | string {
  if (spec.type === 'string') {
    if (raw === '') throw new UsageError(`--${spec.name} needs a non-empty ${spec.arg ?? 'value'}`);
    return raw;
  }
  const x = raw.trim() === '' ? NaN : Number(raw);
  const lo = spec.min ?? -Infinity;
  const hi = spec.max ?? Infinity;
  const range = Number.isFinite(hi) ? `in [${lo}, ${hi}]` : `>= ${lo}`;
  if (spec.type === 'integer') {
    if (!Number.isSafeInteger(x) || x < lo || x > hi) throw new UsageError(`--${spec.name} must be an integer ${range} (got ${JSON.stringify(raw)})`);
  } else if (!Number.isFinite(x) || x < lo || x > hi) {
    throw new UsageError(`--${spec.name} must be a number ${Number.isFinite(lo) ? range : `<= ${hi}`} (got ${JSON.stringify(raw)})`);
  }
  return x;
}

/**
 * Parses `args` against the table: `--name value`, `--name=value`, `-x value`; boolean options
 * take no value. Every value is checked. Throws a UsageError for an unknown option (with a
 * suggestion), a missing or bad value, an option given twice, or a positional argument.
 */
export function parseOptions(args: readonly string[], specs: readonly OptionSpec[]): ParsedOptions {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short !== undefined).map((s) => [s.short!, s]));
  const values: ParsedOptions['values'] = Object.create(null) as ParsedOptions['values'];
  const given = new Set<string>();
  for (const s of specs) if (s.default !== undefined) values[s.name] = s.default;
  for (let k = 0; k < args.length; k++) {
    const arg = args[k];
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      spec = byName.get(name);
      if (spec === undefined) {
        const guess = didYouMean(name, [...byName.keys()]);
        throw new UsageError(`unknown option '--${name}'${guess === undefined ? '' : `; did you mean '--${guess}'?`}`);
      }
    } else if (/^-[A-Za-z]$/.test(arg)) {
      spec = byShort.get(arg.slice(1));
      if (spec === undefined) throw new UsageError(`unknown option '${arg}'`);
    } else {
      throw new UsageError(`unexpected argument '${arg}' (options start with --)`);
    }
    if (given.has(spec.name)) throw new UsageError(`--${spec.name} is given twice`);
    given.add(spec.name);
    if (spec.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value (got '${inline}')`);
      values[spec.name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = args[k + 1];
      if (next !== undefined && !(next.startsWith('-') && next.length > 1 && spec.type === 'string') && !(spec.implicit !== undefined && next.startsWith('-'))) {
        raw = next;
        k++;
      } else if (spec.implicit !== undefined) {
        values[spec.name] = spec.implicit;
        continue;
      } else {
        throw new UsageError(`--${spec.name} needs a value (${spec.arg ?? placeholder(spec)})`);
      }
    }
    values[spec.name] = convert(spec, raw);
  }
  return { values, given };
}

function placeholder(spec: OptionSpec): string {
  return spec.arg ?? (spec.type === 'integer' || spec.type === 'number' ? 'N' : 'VALUE');
}

/** The left column of an option in --help: `--name ARG`, `--name [ARG]`, `-h, --help`. */
function signature(spec: OptionSpec): string {
  const value = spec.type === 'boolean' ? '' : spec.implicit !== undefined ? ` [${placeholder(spec)}]` : ` ${placeholder(spec)}`;
  return `${spec.short !== undefined ? `-${spec.short}, ` : ''}--${spec.name}${value}`;
}

/** Wraps text into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Two aligned columns (a name, then text wrapped at 100 columns), as --help prints them. */
export function helpColumns(rows: readonly (readonly [string, string])[]): string {
  const left = Math.min(28, Math.max(...rows.map(([name]) => name.length + 2)) + 2);
  const out: string[] = [];
  for (const [name, text] of rows) {
    const sig = `  ${name}`;
    const fits = sig.length + 2 <= left;
    if (!fits) out.push(sig);
    wrap(text, 100 - left).forEach((l, k) => out.push(`${k === 0 && fits ? sig.padEnd(left) : ' '.repeat(left)}${l}`));
  }
  return out.join('\n');
}

/** The help line(s) of every option: signature, meaning and default. */
export function optionsHelp(specs: readonly OptionSpec[]): string {
  return helpColumns(
    specs.map((s) => {
      const shown = s.defaultText ?? (s.default === undefined || s.type === 'boolean' ? undefined : String(s.default));
      return [signature(s), `${s.meaning}${shown === undefined ? '' : ` (default: ${shown})`}`] as const;
    }),
  );
}
