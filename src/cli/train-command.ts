/**
 * `natgrad train --problem P --optimizer O [--iterations n] [--seed s]
 * [--target loss] [--json] [--svg file]`: one optimizer on one experiment
 * problem; prints iterations and time to the target, final loss and the test
 * metric, or the whole run as JSON.
 */
import { NatgradError } from '../core/errors.js';
import { parseOptimizer, parseSettings } from '../experiments/cli-options.js';
import { progressBar } from '../experiments/progress.js';
import { resultsTable } from '../experiments/report.js';
import { runOptimizer } from '../experiments/run.js';
import { lossPlotSvg } from '../experiments/svg-plot.js';
import type { Io } from './io.js';

export interface TrainCommandOptions {
  problem: string;
  optimizer: string;
  iterations?: string;
  seed?: string;
  target?: string;
  json?: boolean;
  svg?: string;
}

/** Runs the train command; returns the exit code (2 on bad options). */
export async function trainCommand(opts: TrainCommandOptions, io: Io): Promise<number> {
  try {
    const settings = parseSettings(opts);
    const optimizer = parseOptimizer(opts.optimizer);
    const { problem } = settings;
    const bar = progressBar((t) => io.stderr(t), io.interactive);
    bar.start(settings.iterations, optimizer);
    let result;
    try {
      result = runOptimizer(problem, optimizer, { ...settings, onIteration: (r) => bar.update(r.iteration, r.loss) });
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
      await io.writeFile(opts.svg, svg);
    }
    if (opts.json) {
      const { params, ...rest } = result;
      io.stdout(
        JSON.stringify({ problem: problem.name, seed: settings.seed, targetLoss: settings.targetLoss, ...rest, params: Array.from(params) }) + '\n',
      );
    } else {
      io.stdout(`${problem.summary}\ntarget loss ${settings.targetLoss}, seed ${settings.seed}\n\n${resultsTable([result])}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof NatgradError) {
      io.stderr(`natgrad: ${e.path}: ${e.reason}\n`);
      return 2;
    }
    throw e;
  }
}
