/**
 * `natgrad compare --problem P --optimizers a,b,c [--iterations n] [--seed s]
 * [--target loss] [--lr x] [--damping x] [--option [name:]key=value]...
 * [--svg file] [--markdown file]`: every optimizer on the same problem from
 * the same initial weights; a table of iterations and wall time to the target
 * loss, final loss and test metric, and the curves as SVG.
 */
import { progressBar } from '../experiments/progress.js';
import { resultsMarkdown, resultsTable, winners } from '../experiments/report.js';
import { problemOptimizerOptions, type RunResult, runOptimizer } from '../experiments/run.js';
import { formatNumber, lossPlotSvg } from '../experiments/svg-plot.js';
import { errorLine } from './error-message.js';
import { parseOptimizerList, parseSettings } from './experiment-options.js';
import type { Io } from './io.js';
import { describeOptions, type HyperparameterFlags, optimizerOverrides, withOverrides } from './optimizer-options.js';
import { requireWritable, writeOutputFile } from './output-file.js';

export interface CompareCommandOptions extends HyperparameterFlags {
  problem?: string;
  optimizers?: string;
  iterations?: string;
  seed?: string;
  target?: string;
  svg?: string;
  markdown?: string;
}

function winnerLine(results: readonly RunResult[]): string {
  const w = winners(results);
  if (!w) return 'no optimizer reached the target\n';
  const it = w.byIterations.reachedTarget!;
  const tm = w.byTime.reachedTarget!;
  return (
    `fewest iterations to target: ${w.byIterations.optimizer} (${it.iteration}); least time to target: ${w.byTime.optimizer} ` +
    `(${(tm.timeMs / 1000).toFixed(2)} s)\n`
  );
}

/** Runs the compare command; returns the exit code (2 with one line on bad options). */
export async function compareCommand(opts: CompareCommandOptions, io: Io): Promise<number> {
  try {
    const settings = parseSettings(opts);
    const optimizers = parseOptimizerList(opts.optimizers);
    const { problem } = settings;
    const overrides = optimizerOverrides(opts, optimizers, problem);
    for (const [flag, path] of [
      ['--svg', opts.svg],
      ['--markdown', opts.markdown],
    ] as const)
      if (path !== undefined) await requireWritable(io, path, flag);
    const results: RunResult[] = [];
    for (const optimizer of optimizers) {
      const bar = progressBar((t) => io.stderr(t), io.interactive);
      bar.start(settings.iterations, optimizer.padEnd(12));
      const options = withOverrides(problemOptimizerOptions(problem, optimizer), overrides.get(optimizer)!);
      try {
        results.push(runOptimizer(problem, optimizer, { ...settings, options, onIteration: (r) => bar.update(r.iteration, r.loss) }));
      } finally {
        bar.stop();
      }
    }
    const set = optimizers.filter((o) => Object.keys(overrides.get(o)!).length > 0).map((o) => `${o} with ${describeOptions(overrides.get(o)!)}`);
    const overridden = set.length ? `; ${set.join('; ')}` : '';
    const header = `${problem.summary}\ntarget loss ${settings.targetLoss}, seed ${settings.seed}, at most ${settings.iterations} iterations${overridden}\n\n`;
    io.stdout(header + resultsTable(results) + '\n' + winnerLine(results));
    if (opts.svg !== undefined) {
      const svg = lossPlotSvg({
        title: `${problem.name} (target ${formatNumber(settings.targetLoss)})`,
        series: results.map((r) => ({ name: r.optimizer, history: r.history })),
        targetLoss: settings.targetLoss,
        offset: problem.plot.offset,
        yLabel: problem.plot.yLabel,
      });
      await writeOutputFile(io, opts.svg, svg, '--svg');
    }
    if (opts.markdown !== undefined) {
      const options = results.map((r) => `- \`${r.optimizer}\`: \`${JSON.stringify(r.options)}\``).join('\n');
      const md = `${header}${resultsMarkdown(results)}\n${winnerLine(results)}\nOptions:\n\n${options}\n`;
      await writeOutputFile(io, opts.markdown, md, '--markdown');
    }
    return 0;
  } catch (e) {
    io.stderr(errorLine(e, 'compare'));
    return 2;
  }
}
