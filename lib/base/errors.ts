/**
 * Errors thrown by spikegrad carry a stable `code` (see docs/errors.md). Test and branch on
 * `err.code`, never on the message.
 */
export type SpikegradErrorCode =
  | 'ERR_SPIKEGRAD_ARG'
  | 'ERR_SPIKEGRAD_SHAPE'
  | 'ERR_SPIKEGRAD_NONFINITE'
  | 'ERR_SPIKEGRAD_RANGE'
  | 'ERR_SPIKEGRAD_DOMAIN'
  | 'ERR_SPIKEGRAD_BUDGET'
  | 'ERR_SPIKEGRAD_INTERNAL'
  /** An allocation failed: the network, batch or trial is too large for memory. */
  | 'ERR_SPIKEGRAD_MEMORY'
  /** A saved model, checkpoint or optimiser state that cannot be used (corrupt, mismatched, wrong version). */
  | 'ERR_SPIKEGRAD_LOAD'
  /** The native addon could not be loaded. */
  | 'ERR_SPIKEGRAD_ADDON'
  /** A dataset file could not be downloaded from any mirror (downloadDataset, spikegrad data). */
  | 'ERR_SPIKEGRAD_DOWNLOAD'
  /** A downloaded or existing dataset file failed verification (downloadDataset, spikegrad data). */
  | 'ERR_SPIKEGRAD_CHECKSUM'
  /** A sweep specification or a queued trial that cannot run (unknown experiment or option, reserved option). */
  | 'ERR_SPIKEGRAD_SPEC'
  /** The sweep queue: Redis unreachable, refused credentials, or bullmq not installed. */
  | 'ERR_SPIKEGRAD_QUEUE'
  /** A training run was cancelled through its AbortSignal. */
  | 'ABORT_ERR';

/** An Error with a stable spikegrad code. */
export type CodedError = Error & { code: SpikegradErrorCode };

function withCode<E extends Error>(err: E, code: SpikegradErrorCode): E & { code: SpikegradErrorCode } {
  Object.defineProperty(err, 'code', { value: code, enumerable: true, writable: false, configurable: true });
  return err as E & { code: SpikegradErrorCode };
}

/** A TypeError with code ERR_SPIKEGRAD_ARG: an argument of the wrong type. */
export function argumentError(message: string): TypeError & { code: SpikegradErrorCode } {
  return withCode(new TypeError(message), 'ERR_SPIKEGRAD_ARG');
}

/** A RangeError with the given code: a value of the right type outside its allowed range. */
export function rangeError(
  message: string,
  code: SpikegradErrorCode = 'ERR_SPIKEGRAD_RANGE',
): RangeError & { code: SpikegradErrorCode } {
  return withCode(new RangeError(message), code);
}

/** A plain Error with the given code. */
export function codedError(message: string, code: SpikegradErrorCode): CodedError {
  return withCode(new Error(message), code);
}

/**
 * "Expected X for NAME but received Y": one message style for every invalid parameter.
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'number') return `${value} of type number`;
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}" of type string`;
  return `a value of type ${typeof value}`;
}

/** Moves a native error onto the caller's stack, keeping its name, message and code. */
export function rethrowWithStack(err: unknown, stackHolder: Error): never {
  if (err instanceof Object && 'message' in err) {
    const e = err as Error;
    const frames = stackHolder.stack?.split('\n').slice(1).join('\n') ?? '';
    e.stack = `${e.name}: ${e.message}\n${frames}`;
  }
  throw err;
}
