/**
 * Writing files so that an interrupted write never leaves a truncated one: the bytes go to a
 * temporary file beside the target, are flushed to disk and renamed over the target. The target
 * of a symbolic link is written (the link stays a link), the permission bits of an existing file
 * are kept, and a path that exists but is not a regular file (a directory, FIFO, socket or device)
 * is refused before anything is opened, so that no call can block on it. Reading opens without
 * blocking and checks that the opened file is a regular one.
 *
 * Every function comes in a synchronous form and an asynchronous one (…Async) whose file-system
 * calls run on libuv's thread pool; content is given as chunks (an iterable of byte arrays), so
 * files of any size can be written without holding them in one buffer.
 */
import fs = require('fs');
import path = require('path');
import { argumentError } from './errors';

/** A piece of content to write: bytes, or a request to let the event loop turn (async writes). */
export type WriteChunk = Uint8Array | typeof YIELD;
/** Yielded by chunk producers between pieces of CPU work; async writers let the event loop turn there. */
export const YIELD: unique symbol = Symbol('yield');

/** What a path is, in words, for a file that is not a regular file. */
export function fileKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The error for a save whose target exists but is not a regular file. */
function notRegularError(file: string, target: string, stat: fs.Stats): TypeError {
  const via = target === path.resolve(file) ? '' : ` (the link ${file} points to ${target})`;
  return argumentError(`Expected a regular file or a new path for file but ${target} is ${fileKind(stat)}${via}; refusing to replace it`);
}

/**
 * The path a write to `file` must replace: `file` itself, or the file its chain of symbolic links
 * ends at (which need not exist yet), and the stat of that target when it exists.
 */
function resolveTarget(file: string, lstat: (p: string) => fs.Stats | undefined, readlink: (p: string) => string): { target: string; stat?: fs.Stats } {
  let target = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    const st = lstat(target);
    if (st === undefined || !st.isSymbolicLink()) return { target, stat: st };
    target = path.resolve(path.dirname(target), readlink(target));
  }
  const err = new Error(`Too many levels of symbolic links: ${file}`) as NodeJS.ErrnoException;
  err.code = 'ELOOP';
  throw err;
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function lstatOrUndefinedAsync(p: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

/** New files get 0666 less the umask, as fs.writeFile gives them; existing files keep their bits. */
const NEW_FILE_MODE = 0o666;

/**
 * Writes chunks to file atomically (temporary file beside the target, fsync, rename, fsync of
 * the folder). Through a symbolic link the link's target is replaced; an existing file's mode
 * is kept; an existing directory, FIFO, socket or device is refused (ERR_SPIKEGRAD_ARG) before
 * anything is opened.
 */
export function writeChunksAtomic(file: string, chunks: Iterable<WriteChunk>): void {
  const { target, stat } = resolveTarget(file, lstatOrUndefined, (p) => fs.readlinkSync(p));
  if (stat !== undefined && !stat.isFile()) throw notRegularError(file, target, stat);
  const tmp = tempName(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', NEW_FILE_MODE);
    if (stat !== undefined) fs.fchmodSync(fd, stat.mode & 0o7777);
    for (const chunk of chunks) {
      if (chunk === YIELD) continue;
      let done = 0;
      while (done < chunk.length) done += fs.writeSync(fd, chunk, done, chunk.length - done);
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = fs.openSync(path.dirname(target), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  }
}

/**
 * {@link writeChunksAtomic} with every file-system call on the thread pool; at each
 * {@link YIELD} of `chunks` the event loop turns once, so producing the chunks never blocks it
 * for long.
 */
export async function writeChunksAtomicAsync(file: string, chunks: Iterable<WriteChunk>): Promise<void> {
  const { target, stat } = await resolveTargetAsync(file);
  if (stat !== undefined && !stat.isFile()) throw notRegularError(file, target, stat);
  const tmp = tempName(target);
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(tmp, 'wx', NEW_FILE_MODE);
    if (stat !== undefined) await fh.chmod(stat.mode & 0o7777);
    for (const chunk of chunks) {
      if (chunk === YIELD) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      let done = 0;
      while (done < chunk.length) done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fs.promises.rename(tmp, target);
  } catch (err) {
    if (fh !== undefined) await fh.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
  try {
    const dh = await fs.promises.open(path.dirname(target), 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // As above: the rename is atomic even where a directory cannot be synced.
  }
}

async function resolveTargetAsync(file: string): Promise<{ target: string; stat?: fs.Stats }> {
  let target = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    const st = await lstatOrUndefinedAsync(target);
    if (st === undefined || !st.isSymbolicLink()) return { target, stat: st };
    target = path.resolve(path.dirname(target), await fs.promises.readlink(target));
  }
  return resolveTarget(file, lstatOrUndefined, (p) => fs.readlinkSync(p)); // throws ELOOP
}

/** Writes text or bytes to file atomically ({@link writeChunksAtomic}). */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  writeChunksAtomic(file, [typeof content === 'string' ? Buffer.from(content) : content]);
}

/** {@link writeFileAtomic} on the thread pool. */
export async function writeFileAtomicAsync(file: string, content: string | Uint8Array): Promise<void> {
  await writeChunksAtomicAsync(file, [typeof content === 'string' ? Buffer.from(content) : content]);
}

/** Flags that open a file for reading without blocking on a FIFO or a device. */
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/**
 * Opens a regular file for reading: the open cannot block (O_NONBLOCK, so a FIFO without a
 * writer does not hang it), and the opened file must be a regular file (checked on the
 * descriptor, so a path swapped between a check and the open cannot slip through). `refuse`
 * makes the error for anything else. Returns the descriptor and the file's size.
 */
export function openRegularFile(file: string, refuse: (kind: string) => Error): { fd: number; size: number } {
  const fd = fs.openSync(file, READ_FLAGS);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw refuse(fileKind(st));
    return { fd, size: st.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** {@link openRegularFile} on the thread pool. */
export async function openRegularFileAsync(file: string, refuse: (kind: string) => Error): Promise<{ fh: fs.promises.FileHandle; size: number }> {
  const fh = await fs.promises.open(file, READ_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw refuse(fileKind(st));
    return { fh, size: st.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}
