/**
 * Writing the files a command was asked for (`--svg`, `--markdown`,
 * `--report`, `--out`): a path that cannot be written is bad input naming the
 * flag and the path, never an internal error, and it is found before a long
 * run starts rather than after it.
 */
import { NatgradError } from '../core/errors.js';
import { fileFailure } from '../core/file-failure.js';
import type { Io } from './io.js';

/** Why a path could not be written (or a stream written to). */
export const writeFailure = (e: unknown): string => fileFailure(e, 'no such folder');

/** Fails with the flag's NatgradError now when `path` cannot be written later. */
export async function requireWritable(io: Io, path: string, flag: string): Promise<void> {
  if (path.trim() === '') throw new NatgradError(flag, 'must be a file name, got an empty string');
  try {
    await io.checkWritable?.(path);
  } catch (e) {
    throw new NatgradError(flag, `cannot write '${path}' (${writeFailure(e)})`);
  }
}

/** Writes `text` to `path`; a failure is the flag's NatgradError naming the path. */
export async function writeOutputFile(io: Io, path: string, text: string, flag: string): Promise<void> {
  try {
    await io.writeFile(path, text);
  } catch (e) {
    throw new NatgradError(flag, `cannot write '${path}' (${writeFailure(e)})`);
  }
}
