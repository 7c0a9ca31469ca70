/**
 * The process that runs one sweep trial (started by runTrial in lib/sweep/trial.ts with an IPC
 * channel). It receives `{ experiment, options, dir }`, checks the trial again (the message may
 * come from a queue), and runs the experiment's own command of the registry with the trial's
 * options as command-line arguments, so the values are checked exactly as on the command line.
 * It writes only into `dir` (report and checkpoint, resumed when present), and exits when its
 * parent goes away, so a killed worker leaves no orphan training behind.
 */
import path = require('path');
import { checkTrial, trialArgs } from '../sweep/spec';
import { experimentCommand } from './experiments';
import { sweepCatalog } from './sweep';

interface ChildMessage {
  experiment: string;
  options: Record<string, unknown>;
  dir: string;
  threads?: number;
}

async function run(m: ChildMessage): Promise<number> {
  const trial = checkTrial(sweepCatalog(), m.experiment, m.options);
  const dir = path.resolve(m.dir);
  const args = [...trialArgs(trial.options), `--out=${dir}`, `--checkpoint=${path.join(dir, 'checkpoint.sgm')}`, '--resume'];
  if (!Object.hasOwn(trial.options, 'threads')) args.push(`--threads=${m.threads ?? 1}`);
  return experimentCommand(trial.experiment, args, { out: process.stdout, err: process.stderr });
}

if (require.main === module) {
  let finished = false;
  process.on('disconnect', () => {
    if (!finished) process.exit(143);
  });
  process.once('message', (m: ChildMessage) => {
    run(m).then(
      (code) => {
        process.exitCode = code;
        finished = true;
        process.disconnect?.();
      },
      (err: unknown) => {
        const e = err as Error & { code?: string };
        process.stderr.write(`spikegrad sweep trial: ${e.message}\n`);
        process.exitCode = e.code === 'ERR_SPIKEGRAD_SPEC' ? 2 : 1;
        finished = true;
        process.disconnect?.();
      },
    );
  });
}
