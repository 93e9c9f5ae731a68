/** The byte counter of input reading, at its boundary (the process-level cases are in process.test.ts). */
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { inputTooLarge, INPUT_LIMIT_BYTES } from '../../src/cli/io.js';
import { readLimited } from '../../src/cli/process-io.js';

/** An endless stream of `chunk`, counting what was pulled from it. */
function endless(chunk: string): Readable & { pulled: number } {
  const s = new Readable({
    read() {
      s.pulled += chunk.length;
      this.push(chunk);
    },
  }) as Readable & { pulled: number };
  s.pulled = 0;
  return s;
}

describe('reading input through a byte counter', () => {
  test('the contract limit is 256 MiB, and the message says so', () => {
    expect(INPUT_LIMIT_BYTES).toBe(268435456);
    expect(inputTooLarge(INPUT_LIMIT_BYTES).message).toBe('larger than 256 MiB, the input limit; stopped reading there');
  });
  test('exactly the limit is read; one byte more is refused', async () => {
    expect(await readLimited(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 7)).toBe('{"a":1}');
    await expect(readLimited(Readable.from([Buffer.from('{"a":'), Buffer.from('12}')]), 7)).rejects.toMatchObject({ code: 'EFBIG' });
  });
  test('an endless stream is refused and destroyed: nothing more is pulled from it', async () => {
    const s = endless('y\n'.repeat(512));
    await expect(readLimited(s, 10_000)).rejects.toThrow(/input limit/);
    expect(s.destroyed).toBe(true);
    const pulled = s.pulled;
    await new Promise((r) => setTimeout(r, 20));
    expect(s.pulled).toBe(pulled);
    // What was pulled is the limit plus what the stream buffers ahead (its high-water mark of 16 KiB).
    expect(pulled).toBeLessThan(10_000 + 64 * 1024);
  });
  test('multi-byte characters split across chunks are decoded whole', async () => {
    const bytes = Buffer.from('{"σ":"∇"}');
    expect(await readLimited(Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]), 100)).toBe('{"σ":"∇"}');
  });
});
