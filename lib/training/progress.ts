/**
 * Training progress on a stream (stderr by default): the epoch of epochs, the batch, the loss,
 * the elapsed time, an ETA and the samples per second, and the evaluation phase. On a terminal
 * one line is redrawn in place; elsewhere (CI logs, docker logs, nohup) one plain line is written
 * every `interval` seconds, so logs show that training runs without filling up.
 */
import { argumentError, describe } from '../base/errors';
import { expectPositive, optionNames, readOptions } from '../base/validate';

/** Where and how progress is written. */
export interface ProgressOptions {
  /** The stream. Default process.stderr. */
  stream?: { write(text: string): unknown; isTTY?: boolean };
  /** Redraw one line in place (a terminal). Default: stream.isTTY. */
  tty?: boolean;
  /** Seconds between plain lines when not redrawing. Default 5. */
  interval?: number;
  /** The clock in milliseconds. Default Date.now (replaceable in tests). */
  now?: () => number;
}

const PROGRESS_OPTIONS = optionNames<ProgressOptions>()(['stream', 'tty', 'interval', 'now']);

/** Seconds as a short duration: 42 s, 3 min 05 s, 2 h 07 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Progress of one `fit`: told about batches and evaluations, it writes lines. */
export class Progress {
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly tty: boolean;
  private readonly interval: number;
  private readonly now: () => number;
  private readonly start: number;
  private lastLine: number;
  private drawn = false;
  private samplesTrained = 0;
  private trainMs = 0;
  private evalMs = 0;
  private evaluations = 0;
  private phaseStart = 0;

  /**
   * @param epochs    the epoch count the fit trains to
   * @param remaining training samples still to run in this fit (for the ETA)
   * @param evals     evaluations still to run in this fit (one per epoch with a test set)
   */
  constructor(
    given: ProgressOptions | undefined,
    private readonly epochs: number,
    private remaining: number,
    private evalsLeft: number,
  ) {
    const o = readOptions(given, 'progress options', PROGRESS_OPTIONS) as ProgressOptions;
    this.stream = o.stream ?? process.stderr;
    if (typeof this.stream?.write !== 'function') throw argumentError(`Expected a stream with write() for progress.stream but received ${describe(o.stream)}`);
    this.tty = o.tty ?? this.stream.isTTY === true;
    this.interval = o.interval === undefined ? 5 : expectPositive(o.interval, 'progress.interval');
    this.now = o.now ?? Date.now;
    this.start = this.now();
    this.lastLine = this.start;
    this.phaseStart = this.start;
  }

  /** Seconds since the fit started. */
  get elapsed(): number {
    return (this.now() - this.start) / 1000;
  }

  /** Training samples per second so far (NaN before the first batch). */
  get samplesPerSecond(): number {
    return this.trainMs > 0 ? (1000 * this.samplesTrained) / this.trainMs : NaN;
  }

  /** Seconds left: training samples at the measured rate plus evaluations at their measured length. */
  get eta(): number {
    const rate = this.samplesPerSecond;
    const evalEach = this.evaluations > 0 ? this.evalMs / 1000 / this.evaluations : 0;
    return this.remaining / rate + this.evalsLeft * evalEach;
  }

  /** Marks the start of a training phase (after an evaluation). */
  beginTraining(): void {
    this.phaseStart = this.now();
  }

  /** After a training batch of `samples` samples. */
  batch(epoch: number, batch: number, batches: number, loss: number, samples: number): void {
    const t = this.now();
    this.trainMs += t - this.phaseStart;
    this.phaseStart = t;
    this.samplesTrained += samples;
    this.remaining = Math.max(0, this.remaining - samples);
    const width = 24;
    const filled = Math.round((batch / batches) * width);
    const bar = this.tty ? ` [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
    const rate = this.samplesPerSecond;
    this.show(
      `epoch ${epoch}/${this.epochs}${bar} batch ${batch}/${batches} loss ${loss.toFixed(4)} | ${formatDuration(this.elapsed)} elapsed, ` +
        `ETA ${formatDuration(this.eta)}, ${Number.isFinite(rate) ? rate.toFixed(rate < 10 ? 1 : 0) : '?'} samples/s`,
    );
  }

  /** Marks the start of an evaluation. */
  beginEvaluation(): void {
    const t = this.now();
    this.phaseStart = t;
  }

  /** During an evaluation: `done` of `total` samples evaluated (epoch 0 is the one before training). */
  evaluating(epoch: number, done: number, total: number): void {
    this.show(`${epoch === 0 ? 'before training:' : `epoch ${epoch}/${this.epochs}`} evaluating ${done}/${total} samples | ${formatDuration(this.elapsed)} elapsed`);
  }

  /** After an evaluation. */
  endEvaluation(): void {
    const t = this.now();
    this.evalMs += t - this.phaseStart;
    this.evaluations++;
    this.evalsLeft = Math.max(0, this.evalsLeft - 1);
    this.phaseStart = t;
  }

  /** Clears the redrawn line (after an evaluation: its result is printed by the caller). */
  clearLine(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Ends the redrawn line, keeping it (before other output, and at the end). */
  finishLine(): void {
    if (this.tty && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private show(text: string): void {
    if (this.tty) {
      this.stream.write(`\r${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const t = this.now();
    if (t - this.lastLine >= this.interval * 1000) {
      this.lastLine = t;
      this.stream.write(`${text}\n`);
    }
  }
}
