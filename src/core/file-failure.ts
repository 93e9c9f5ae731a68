/**
 * Why a file could not be read or written, in words, from the Node error
 * code: the one table behind every "cannot read" and "cannot write" message.
 */
import { hasOwn } from './validate.js';

const REASONS: Readonly<Record<string, string>> = Object.freeze({
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
  EDQUOT: 'the disk quota is exceeded',
});

/**
 * The reason for `e`; `notFound` says what a missing path (ENOENT) means to
 * the caller (`no such file` when reading, `no such folder` when writing).
 * Another error gives its message's first line.
 */
export function fileFailure(e: unknown, notFound: string): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code === 'ENOENT') return notFound;
  if (typeof code === 'string' && hasOwn(REASONS, code)) return REASONS[code];
  return e instanceof Error ? e.message.split('\n')[0].replace(/\s+/g, ' ').trim() : String(e);
}
