import { describe, expect, test } from 'vitest';
import { compareCommand } from '../../src/cli/compare-command.js';
import { memoryIo } from '../../src/cli/io.js';
import { trainCommand } from '../../src/cli/train-command.js';
import { lossPlotSvg } from '../../src/experiments/svg-plot.js';
import { xmlProblem } from './svg-well-formed.js';

// Logistic regression on breast cancer is the smallest real problem (31 parameters, 455 rows).
const problem = 'logistic-breast-cancer';

describe('natgrad train', () => {
  test('runs a few iterations and prints the table', async () => {
    const io = memoryIo();
    const code = await trainCommand({ problem, optimizer: 'kfac', iterations: '5', seed: '1', target: '0.3' }, io);
    expect(io.err).toBe('');
    expect(code).toBe(0);
    expect(io.out).toMatch(/iterations to target/);
    expect(io.out).toMatch(/^kfac\s+\d+\s+\d+\.\d\d/m);
  });
  test('an interactive session gets a progress bar on stderr, stdout keeps the table', async () => {
    const io = memoryIo();
    const tty = { ...io, interactive: true };
    expect(await trainCommand({ problem, optimizer: 'adam', iterations: '3' }, tty)).toBe(0);
    expect(io.err).toMatch(/adam \[.*\] \d+\/3 loss/);
    expect(io.out).not.toMatch(/\[.*\] \d+\/3/);
  });
  test('--json gives the run with a history of iterations + 1 evaluations', async () => {
    const io = memoryIo();
    expect(await trainCommand({ problem, optimizer: 'sgd', iterations: '4', json: true }, io)).toBe(0);
    const run = JSON.parse(io.out);
    expect(run.history).toHaveLength(5);
    expect(run.params).toHaveLength(31);
    expect(run.metric.name).toBe('test accuracy');
    expect(run.history[4].loss).toBeLessThan(run.history[0].loss);
  });
  test('a bad optimizer exits 2 with the allowed names', async () => {
    const io = memoryIo();
    expect(await trainCommand({ problem, optimizer: 'bogus' }, io)).toBe(2);
    expect(io.err).toMatch(/^natgrad: --optimizer: must be one of sgd, momentum, .*kfac.*, got "bogus"\n$/);
    expect(io.out).toBe('');
  });
  test('a bad problem, iteration count or target exits 2 naming the flag', async () => {
    for (const [opts, flag] of [
      [{ problem: 'mnist', optimizer: 'sgd' }, '--problem: must be one of linear-regression'],
      [{ problem, optimizer: 'sgd', iterations: '0' }, '--iterations: must be an integer >= 1'],
      [{ problem, optimizer: 'sgd', iterations: '2.5' }, '--iterations: must be an integer >= 1'],
      [{ problem, optimizer: 'sgd', seed: '-1' }, '--seed: must be an integer >= 0'],
      [{ problem, optimizer: 'sgd', target: 'low' }, '--target: must be a finite number'],
    ] as const) {
      const io = memoryIo();
      expect(await trainCommand(opts, io)).toBe(2);
      expect(io.err).toContain(`natgrad: ${flag}`);
    }
  });
});

describe('natgrad compare', () => {
  test('compares optimizers, writes a well-formed SVG and a Markdown table', async () => {
    const io = memoryIo();
    const code = await compareCommand(
      { problem, optimizers: 'sgd,adam,natural-gradient', iterations: '6', target: '0.05', svg: 'plot.svg', markdown: 'table.md' },
      io,
    );
    expect(io.err).toBe('');
    expect(code).toBe(0);
    for (const name of ['sgd', 'adam', 'natural-gradient']) expect(io.out).toMatch(new RegExp(`^${name}\\s`, 'm'));
    expect(io.out).toMatch(/fewest iterations to target: natural-gradient/);
    const svg = io.files['plot.svg'];
    expect(xmlProblem(svg)).toBeNull();
    // One curve per optimizer in each of the two panels (iterations, wall time).
    expect(svg.match(/<polyline /g)).toHaveLength(6);
    expect(io.files['table.md']).toMatch(/^\| optimizer \| iterations to target \|/m);
  });
  test('a bad or repeated optimizer in the list exits 2', async () => {
    const bad = memoryIo();
    expect(await compareCommand({ problem, optimizers: 'sgd,adamw' }, bad)).toBe(2);
    expect(bad.err).toMatch(/^natgrad: --optimizers: must be one of .*, got "adamw"; did you mean "adam"\?\n$/);
    const twice = memoryIo();
    expect(await compareCommand({ problem, optimizers: 'sgd,sgd' }, twice)).toBe(2);
    expect(twice.err).toContain('--optimizers: lists sgd twice');
  });
});

describe('loss plot SVG', () => {
  const history = [0, 1, 2, 3].map((i) => ({ iteration: i, loss: 10 ** -i, gradientNorm: 1, timeMs: 5 * i }));
  test('is well-formed XML, escapes names, and depends only on the data', () => {
    const svg = lossPlotSvg({ title: 'a < b & c', series: [{ name: 'x"y', history }], targetLoss: 0.01 });
    expect(xmlProblem(svg)).toBeNull();
    expect(svg).toContain('a &lt; b &amp; c');
    expect(lossPlotSvg({ title: 'a < b & c', series: [{ name: 'x"y', history }], targetLoss: 0.01 })).toBe(svg);
    // Four decades of loss: a log axis has a grid line per power of ten from 1e-3 to 1.
    expect(svg.match(/stroke="#ddd"/g)!.length).toBe(2 * 4);
  });
  test('the well-formedness check catches broken XML (sensitivity)', () => {
    const svg = lossPlotSvg({ title: 't', series: [{ name: 's', history }] });
    expect(xmlProblem(svg.replace('</svg>', ''))).toMatch(/unclosed <svg>/);
    expect(xmlProblem(svg.replace('<polyline ', '<polyline x=1 '))).not.toBeNull();
    expect(xmlProblem(svg.replace('</text>', '</txt>'))).toMatch(/closes the wrong element/);
  });
});
