/**
 * `natgrad train --problem P --optimizer O [--iterations n] [--seed s]
 * [--target loss] [--lr x] [--damping x] [--option key=value]... [--json]
 * [--svg file]`: one optimizer on one experiment problem; prints iterations
 * and time to the target, final loss and the test metric, or the whole run
 * as JSON.
 */
import { progressBar } from '../experiments/progress.js';
import { resultsTable } from '../experiments/report.js';
import { problemOptimizerOptions, runOptimizer } from '../experiments/run.js';
import { lossPlotSvg } from '../experiments/svg-plot.js';
import { errorLine } from './error-message.js';
import { parseOptimizer, parseSettings } from './experiment-options.js';
import type { Io } from './io.js';
import { describeOptions, type HyperparameterFlags, optimizerOverrides, withOverrides } from './optimizer-options.js';
import { requireWritable, writeOutputFile } from './output-file.js';

export interface TrainCommandOptions extends HyperparameterFlags {
  problem?: string;
  optimizer?: string;
  iterations?: string;
  seed?: string;
  target?: string;
  json?: boolean;
  svg?: string;
}

/** Runs the train command; returns the exit code (2 with one line on bad options). */
export async function trainCommand(opts: TrainCommandOptions, io: Io): Promise<number> {
  try {
    const settings = parseSettings(opts);
    const optimizer = parseOptimizer(opts.optimizer);
    const { problem } = settings;
    const overrides = optimizerOverrides(opts, [optimizer], problem).get(optimizer)!;
    const options = withOverrides(problemOptimizerOptions(problem, optimizer), overrides);
    if (opts.svg !== undefined) await requireWritable(io, opts.svg, '--svg');
    const bar = progressBar((t) => io.stderr(t), io.interactive);
    bar.start(settings.iterations, optimizer);
    let result: ReturnType<typeof runOptimizer>;
    try {
      result = runOptimizer(problem, optimizer, { ...settings, options, onIteration: (r) => bar.update(r.iteration, r.loss) });
    } finally {
      bar.stop();
    }
    if (opts.svg !== undefined) {
      const svg = lossPlotSvg({
        title: `${problem.name}: ${optimizer}`,
        series: [{ name: optimizer, history: result.history }],
        targetLoss: settings.targetLoss,
        offset: problem.plot.offset,
        yLabel: problem.plot.yLabel,
      });
      await writeOutputFile(io, opts.svg, svg, '--svg');
    }
    if (opts.json) {
      const { params, ...rest } = result;
      io.stdout(JSON.stringify({ problem: problem.name, seed: settings.seed, targetLoss: settings.targetLoss, ...rest, params: Array.from(params) }) + '\n');
    } else {
      const set = describeOptions(overrides);
      io.stdout(
        `${problem.summary}\ntarget loss ${settings.targetLoss}, seed ${settings.seed}${set ? `, ${optimizer} with ${set}` : ''}\n\n${resultsTable([result])}`,
      );
    }
    return 0;
  } catch (e) {
    io.stderr(errorLine(e, 'train'));
    return 2;
  }
}
