/**
 * The Io of the real process, and the handling of its standard streams:
 *
 * - input is read through a byte counter and refused past the 256 MiB limit
 *   without reading further (a regular file is refused from its size alone);
 * - a reader that goes away (EPIPE: `natgrad oracle big.json | head -c 10`)
 *   ends the process quietly with status 0, as `head` expects;
 * - any other failure to write stdout (ENOSPC on /dev/full) is one line on
 *   stderr and status 2;
 * - a stderr that cannot be written changes nothing: the status still says
 *   what happened.
 *
 * SIGINT and SIGTERM keep their default disposition on purpose: a handler in
 * JavaScript never runs while the main thread is busy in a synchronous loop
 * or in Atomics.wait on the symbolic backend, whereas the default ends the
 * process (worker threads included) at once with the conventional status
 * (130, 143). Nothing a command does needs cleaning up on the way out.
 */
import { constants, createReadStream, fstatSync } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { NatgradError } from '../core/errors.js';
import { errorLine } from './error-message.js';
import { INPUT_LIMIT_BYTES, inputTooLarge, type Io } from './io.js';
import { writeFailure } from './output-file.js';

/** The text of `stream` (UTF-8); past `limit` bytes the stream is destroyed and the read refused. */
export async function readLimited(stream: Readable, limit = INPUT_LIMIT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop by the throw destroys the stream: nothing more is read.
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > limit) throw inputTooLarge(limit);
    chunks.push(b);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Refuses a regular file over the limit from its size, before reading a byte. */
function refuseBySize(size: number, isFile: boolean, limit: number): void {
  if (isFile && size > limit) throw inputTooLarge(limit);
}

/** A file's text, read through the byte counter; over the limit is refused. */
export async function readFileLimited(path: string, limit = INPUT_LIMIT_BYTES): Promise<string> {
  const s = await stat(path);
  if (s.isDirectory()) throw Object.assign(new Error(`EISDIR: '${path}' is a directory`), { code: 'EISDIR' });
  refuseBySize(s.size, s.isFile(), limit);
  return readLimited(createReadStream(path, { highWaterMark: 1 << 20 }), limit);
}

/** Standard input's text, read through the byte counter; over the limit is refused. */
export async function readStdinLimited(limit = INPUT_LIMIT_BYTES): Promise<string> {
  let s: ReturnType<typeof fstatSync> | null;
  try {
    s = fstatSync(0);
  } catch {
    s = null; // no descriptor 0 to inspect: the read below says what is wrong
  }
  if (s) refuseBySize(s.size, s.isFile(), limit);
  return readLimited(process.stdin, limit);
}

/** Throws what writing `path` would throw (see Io.checkWritable). */
async function checkWritable(path: string): Promise<void> {
  const target = resolve(path);
  const existing = await stat(target).catch((e: { code?: string }) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing) {
    if (existing.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await access(target, constants.W_OK);
    return;
  }
  // The file will be created, with its missing folders: the nearest existing ancestor must be a writable folder.
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const s = await stat(dir).catch((e: { code?: string }) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      await access(dir, constants.W_OK | constants.X_OK);
      return;
    }
    if (dir === dirname(dir)) return;
  }
}

let exiting = false;

/** stdout failed: a reader that left ends the run quietly (0); anything else is status 2 with one line. */
function stdoutFailed(e: Error & { code?: string }): void {
  if (exiting) return;
  exiting = true;
  if (e.code === 'EPIPE') process.exit(0);
  process.stderr.write(errorLine(new NatgradError('stdout', `cannot write the output (${writeFailure(e)})`), 'stdout'));
  process.exit(2);
}

let guarded = false;

/** Installs the stream handling of the module comment; the CLI's entry point calls it once. */
export function guardStandardStreams(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', stdoutFailed);
  process.stderr.on('error', () => {
    // The error line could not be shown; the exit status still tells.
  });
}

export function processIo(): Io {
  return {
    stdout: (t) => {
      process.stdout.write(t);
      // A failed write destroys the stream at once and reports it a tick later: stop now, not after the next computation.
      const failed = process.stdout.errored;
      if (failed && guarded) stdoutFailed(failed);
    },
    stderr: (t) => {
      process.stderr.write(t);
    },
    readStdin: () => readStdinLimited(),
    readFile: (p) => readFileLimited(p),
    async writeFile(p, t) {
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, t, 'utf8');
    },
    checkWritable,
    interactive: Boolean(process.stderr.isTTY),
  };
}
