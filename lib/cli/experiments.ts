/**
 * Runs the experiment commands of the registry (lib/cli/registry.ts): parses the options of the
 * command's table, prints its generated --help, runs it, and maps errors to exit statuses (2 for
 * bad usage and bad input, 130 when stopped, 1 for anything unexpected). Each experiment writes a
 * self-contained HTML report and a JSON file of the numbers into --out (default ./reports).
 */
import path = require('path');
import { htmlReport } from '../report';
import { COMMON_OPTIONS, writeOutputs, type ExperimentCommand, type ExperimentReport } from './command';
import { isLoopback, startDashboard, type Dashboard } from './dashboard';
import { optionsHelp, parseOptions, UsageError } from './options';
import { findExperiment } from './registry';
import type { CommandIO } from './eval';

/** The generated `spikegrad NAME --help` text of a command. */
export function experimentHelp(command: ExperimentCommand): string {
  const description = command.description
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `Usage: spikegrad ${command.name} [options]\n${description}\n\nOptions:\n${optionsHelp([...command.options, ...COMMON_OPTIONS])}\n`;
}

/** The dashboard's page before the first numbers. */
function waitingPage(name: string): string {
  return htmlReport({ title: `spikegrad ${name}`, subtitle: 'starting: the figures appear with the first numbers', sections: [] });
}

/**
 * The command with some of its defaults replaced (`npm start`'s 20 epochs of batch 100): the
 * options stay overridable on the command line and are not counted as given (so `--resume` keeps
 * a checkpoint's settings for them), and --help shows the new defaults.
 */
export function withDefaults(command: ExperimentCommand, defaults: Readonly<Record<string, number | string | boolean>>): ExperimentCommand {
  for (const key of Object.keys(defaults)) {
    if (!command.options.some((o) => o.name === key)) throw new Error(`spikegrad ${command.name} has no option --${key} to give a default`);
  }
  return {
    ...command,
    options: command.options.map((o) => (Object.prototype.hasOwnProperty.call(defaults, o.name) ? { ...o, default: defaults[o.name], defaultText: undefined } : o)),
  };
}

/**
 * Runs an experiment command; returns the exit status. `defaults` replaces some of the command's
 * defaults (withDefaults).
 */
export async function experimentCommand(
  name: string,
  args: string[],
  io: CommandIO = { out: process.stdout, err: process.stderr },
  defaults: Readonly<Record<string, number | string | boolean>> = {},
): Promise<number> {
  const found = findExperiment(name);
  if (found === undefined) {
    io.err.write(`spikegrad: unknown experiment '${name}'\n`);
    return 2;
  }
  const command = withDefaults(found, defaults);
  const usage = experimentHelp(command);
  try {
    const parsed = parseOptions(args, [...command.options, ...COMMON_OPTIONS]);
    if (parsed.values.help === true) {
      io.out.write(usage);
      return 0;
    }
    const out = String(parsed.values.out);
    const quiet = parsed.values.quiet === true;
    const v = parsed.values;
    if (v.host !== undefined && v.dashboard === undefined) throw new UsageError('--host is the address of the dashboard: give --dashboard [PORT] too');
    let dashboard: Dashboard | undefined;
    if (v.dashboard !== undefined) {
      const host = typeof v.host === 'string' ? v.host : '127.0.0.1';
      try {
        dashboard = await startDashboard({ port: v.dashboard as number, host, initial: waitingPage(command.name) });
      } catch (err) {
        const e = err as Error & { code?: string };
        throw new UsageError(
          e.code === 'EADDRINUSE'
            ? `--dashboard: port ${String(v.dashboard)} is in use on ${host}; choose another (--dashboard 0 takes any free port)`
            : `--dashboard: cannot listen on ${host}:${String(v.dashboard)} (${e.code ?? e.message})`,
        );
      }
      io.err.write(`dashboard: ${dashboard.url} (read-only; it closes when the run ends)\n`);
      if (!isLoopback(host)) {
        io.err.write(`warning: the dashboard listens on ${host}, not on a loopback address: anyone who can reach this machine can read it (it has no authentication)\n`);
      }
    }
    const live = dashboard && {
      update: (report: ExperimentReport) => dashboard.update(report.html),
      progress: (text: string) => dashboard.progress(text),
    };
    let written = '';
    const controller = new AbortController();
    const onSignal = () => {
      io.err.write(`\nspikegrad ${name}: stopping after the current step; the report of what has run follows (Ctrl-C again quits at once)\n`);
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    try {
      return await command.run({
        ...parsed,
        io,
        out,
        quiet,
        signal: controller.signal,
        live,
        say: (text) => {
          if (!quiet) io.err.write(text);
        },
        write: (file, report) => {
          writeOutputs(out, file, report, io);
          written = path.join(out, `${file}.html`);
          live?.update(report);
        },
      });
    } finally {
      process.removeListener('SIGINT', onSignal);
      await dashboard?.close(written ? `the run has ended; the final report is ${written}` : 'the run has ended');
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e instanceof UsageError) {
      io.err.write(`spikegrad ${name}: ${e.message}\n(spikegrad ${name} --help lists the options)\n`);
      return 2;
    }
    if (e.code === 'ABORT_ERR') {
      io.err.write(`spikegrad ${name}: ${e.message}\n`);
      return 130;
    }
    io.err.write(`spikegrad ${name}: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
    return e.code !== undefined && e.code !== 'ERR_SPIKEGRAD_INTERNAL' ? 2 : 1;
  }
}
