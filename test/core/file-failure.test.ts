import { expect, test } from 'vitest';
import { fileFailure } from '../../src/core/file-failure.js';

const failure = (code: string, message = `${code}: something`) => Object.assign(new Error(message), { code });

test('a Node error code becomes a reason in words; a missing path means what the caller says', () => {
  expect(fileFailure(failure('ENOENT'), 'no such file')).toBe('no such file');
  expect(fileFailure(failure('ENOENT'), 'no such folder')).toBe('no such folder');
  expect(fileFailure(failure('EISDIR'), 'no such file')).toBe('it is a folder');
  expect(fileFailure(failure('EPERM'), 'no such file')).toBe('permission denied');
  expect(fileFailure(failure('ENOSPC'), 'no such file')).toBe('no space left on the device');
});

test('another error gives the first line of its message, a non-error its text; a code named like an Object method is not a reason', () => {
  expect(fileFailure(failure('EIO', 'EIO: i/o error,\n  at somewhere'), 'no such file')).toBe('EIO: i/o error,');
  expect(fileFailure(failure('constructor', 'odd'), 'no such file')).toBe('odd');
  expect(fileFailure('boom', 'no such file')).toBe('boom');
});
