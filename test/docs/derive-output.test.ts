/**
 * `natgrad derive` prints the derivation as steps, each with how it was
 * checked; the multivariate normal in matrix notation at any accepted
 * dimension, in a few kilobytes (it printed 1.5 MB at d = 2 before).
 */
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

describe('derive output', () => {
  test('gamma: the steps from the log-density to the Fisher, each checked, and E[log x] = digamma(alpha) - log(beta)', async () => {
    const io = memoryIo();
    expect(await main(['derive', 'gamma'], io)).toBe(0);
    for (const title of ['Log-density', 'Score', 'Hessian', 'Moments', 'Expectation', 'Fisher information', 'Natural parameters', 'Pullback'])
      expect(io.out).toContain(title);
    expect(io.out).toContain('E[log(x)] = dA/deta1 = digamma(alpha)-log(beta)');
    expect(io.out).not.toMatch(/FAILED|REFUTED|pi\*i|i\*pi/);
  });
  test('multivariate normal, d = 3: the matrix derivation, every step checked, a few kilobytes', async () => {
    const io = memoryIo();
    expect(await main(['derive', 'multivariate-normal', '--dim', '3'], io)).toBe(0);
    expect(io.out).toContain('Differential of the log-determinant');
    expect(io.out).toContain('Isserlis');
    expect(io.out).not.toMatch(/FAILED/);
    expect(io.out.length).toBeLessThan(20_000);
    // every step checked at the dimension asked for, at two random points
    const checkedAt = [...io.out.matchAll(/at (\d+) random points \(d = ([\d, ]+)\)/g)].map((m) => `${m[1]} at d = ${m[2]}`);
    expect(checkedAt.length).toBeGreaterThanOrEqual(12);
    expect(new Set(checkedAt)).toEqual(new Set(['2 at d = 3']));
    const json = memoryIo();
    await main(['derive', 'multivariate-normal', '--dim', '3', '--json'], json);
    const d = JSON.parse(json.out);
    expect(d.verified).toBe(true);
    expect(d.matrix).toHaveLength(3 + 6);
  });
});
