import { helpColumns, optionsHelp, parseOptions, UsageError, type OptionSpec } from '../../lib/cli/options';

const specs: OptionSpec[] = [
  { name: 'epochs', type: 'integer', min: 0, default: 100, meaning: 'epochs' },
  { name: 'batch-size', type: 'integer', min: 1, arg: 'B', default: 1000, meaning: 'samples per step' },
  { name: 'rate', type: 'number', min: 0, max: 1, meaning: 'a fraction' },
  { name: 'data', type: 'string', arg: 'DIR', defaultText: 'the bundled digits', meaning: 'a folder' },
  { name: 'resume', type: 'boolean', meaning: 'continue' },
  { name: 'dashboard', type: 'integer', min: 0, max: 65535, implicit: 8080, arg: 'PORT', meaning: 'serve a live page' },
  { name: 'help', short: 'h', type: 'boolean', meaning: 'show this help' },
];

function usageError(args: string[]): string {
  try {
    parseOptions(args, specs);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe('option table parser', () => {
  it('fills in defaults and records what was given', () => {
    const p = parseOptions(['--batch-size', '50', '--resume', '--data=x/y'], specs);
    expect(p.values).toEqual({ epochs: 100, 'batch-size': 50, data: 'x/y', resume: true });
    expect([...p.given].sort()).toEqual(['batch-size', 'data', 'resume']);
    expect(parseOptions(['-h'], specs).values.help).toBe(true);
    expect(parseOptions(['--rate', '0.25'], specs).values.rate).toBe(0.25);
  });

  it('takes an optional value only when one follows', () => {
    expect(parseOptions(['--dashboard'], specs).values.dashboard).toBe(8080);
    expect(parseOptions(['--dashboard', '--resume'], specs).values).toMatchObject({ dashboard: 8080, resume: true });
    expect(parseOptions(['--dashboard', '9000', '--resume'], specs).values).toMatchObject({ dashboard: 9000, resume: true });
    expect(parseOptions(['--dashboard=0'], specs).values.dashboard).toBe(0);
    expect(usageError(['--dashboard', '70000'])).toMatch(/--dashboard must be an integer in \[0, 65535\]/);
  });

  it('suggests the closest option for a typo', () => {
    expect(usageError(['--bach-size', '3'])).toBe("unknown option '--bach-size'; did you mean '--batch-size'?");
    expect(usageError(['--epoch', '3'])).toMatch(/did you mean '--epochs'/);
    expect(usageError(['--resum'])).toMatch(/did you mean '--resume'/);
    expect(usageError(['--frobnicate'])).toBe("unknown option '--frobnicate'");
    expect(usageError(['-x'])).toBe("unknown option '-x'");
  });

  it('refuses bad values, missing values, repeats and positionals', () => {
    expect(usageError(['--epochs', 'many'])).toMatch(/--epochs must be an integer >= 0 \(got "many"\)/);
    expect(usageError(['--epochs', '1.5'])).toMatch(/integer/);
    expect(usageError(['--epochs', ''])).toMatch(/integer/);
    expect(usageError(['--batch-size', '0'])).toMatch(/>= 1/);
    expect(usageError(['--rate', '2'])).toMatch(/--rate must be a number in \[0, 1\]/);
    expect(usageError(['--rate', 'NaN'])).toMatch(/--rate/);
    expect(usageError(['--epochs'])).toMatch(/--epochs needs a value/);
    expect(usageError(['--data', '--resume'])).toMatch(/--data needs a value \(DIR\)/);
    expect(usageError(['--resume=yes'])).toMatch(/takes no value/);
    expect(usageError(['--epochs', '1', '--epochs', '2'])).toMatch(/given twice/);
    expect(usageError(['stray'])).toMatch(/unexpected argument 'stray'/);
  });

  it('generates the help from the table: every option with its placeholder, meaning and default', () => {
    const help = optionsHelp(specs);
    expect(help).toMatch(/--epochs N +epochs \(default: 100\)/);
    expect(help).toMatch(/--batch-size B +samples per step \(default: 1000\)/);
    expect(help).toMatch(/--data DIR +a folder \(default: the bundled digits\)/);
    expect(help).toMatch(/--dashboard \[PORT\] +serve a live page\n/);
    expect(help).toMatch(/-h, --help +show this help/);
    expect(help).not.toMatch(/--resume.*default/);
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('wraps long text under its column', () => {
    const text = helpColumns([['name', 'word '.repeat(40).trim()]]);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[1]).toMatch(/^ {8}word/);
  });
});
