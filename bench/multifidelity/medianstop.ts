/**
 * The median-stop benchmark: 40 random-search trials of {@link train} (4 in parallel) through the real controller
 * (`Experiment.create(...).optimize(...)` on a temporary SQLite store), once without early stopping and once with
 * `medianstop`, on the same seed. Reports the share of epochs saved and how far the best trial moved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { Experiment } from '../../src/experiment/experiment.ts';
import type { Settings } from '../../src/search/types.ts';
import { search } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import { median } from '../search/stats.ts';
import { type Dataset, makeDataset, train } from './logreg.ts';

/** What {@link runMedianStopPair} runs. */
export interface MedianStopTask {
  readonly seed: number;
  readonly trials: number;
  readonly parallel: number;
  readonly epochs: number;
  /** medianstop's `algorithmSettings` (empty: Katib's defaults). */
  readonly settings: Settings;
}

/** One experiment: epochs trained in all, the best objective (min validation loss), and how trials ended. */
export interface MedianStopRun {
  readonly epochs: number;
  readonly best: number;
  readonly bestTrial: string;
  readonly trials: number;
  readonly earlyStopped: number;
  readonly wallS: number;
}

/** The same seed without and with medianstop, and the comparison the target asks for. */
export interface MedianStopPair {
  readonly seed: number;
  readonly plain: MedianStopRun;
  readonly stopped: MedianStopRun;
  /** 1 − epochs with stopping / epochs without. */
  readonly saving: number;
  /** (best with stopping − best without) / |best without|: positive when stopping lost the best trial. */
  readonly bestGap: number;
}

const metric = 'val-loss';

/** Runs one Experiment on a fresh temporary store, deleted afterwards. */
export async function runMedianStopExperiment(
  task: MedianStopTask,
  data: Dataset,
  earlyStopping: boolean,
): Promise<MedianStopRun> {
  const dir = mkdtempSync(join(tmpdir(), 'hpo-bench-medianstop-'));
  const store = openStore(join(dir, 'store'));
  const epochsOf = new Map<string, number>();
  try {
    const exp = Experiment.create({
      name: `logreg-${task.seed}-${earlyStopping ? 'medianstop' : 'plain'}`,
      objective: { type: 'minimize', objectiveMetricName: metric },
      algorithm: { algorithmName: 'random', algorithmSettings: { random_state: task.seed } },
      ...(earlyStopping ? { earlyStopping: { algorithmName: 'medianstop', algorithmSettings: task.settings } } : {}),
      parameters: [search.double('lr', 1e-4, 1, { log: true }), search.double('l2', 1e-5, 0.3, { log: true })],
      maxTrialCount: task.trials,
      parallelTrialCount: task.parallel,
      store,
    });
    const started = performance.now();
    const result = await exp.optimize(async (params, report, ctx) => {
      const options = { lr: Number(params.lr), l2: Number(params.l2), epochs: task.epochs, seed: task.seed };
      const trained = await train(data, options, async (_epoch, loss) => {
        const stop = report({ [metric]: loss });
        // Yield after every epoch so the trials in flight interleave, as parallel trials would.
        await tick();
        return stop;
      });
      epochsOf.set(ctx.trial, trained);
    });
    const wallS = (performance.now() - started) / 1000;
    if (result.bestTrial === null) throw new Error(`${exp.name}: no best trial (${result.status}: ${result.message})`);
    return {
      epochs: [...epochsOf.values()].reduce((a, b) => a + b, 0),
      best: result.bestTrial.objective,
      bestTrial: result.bestTrial.name,
      trials: result.trials.length,
      earlyStopped: result.trials.filter((t) => t.state === 'EarlyStopped').length,
      wallS,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both experiments of one seed on the same data set. */
export async function runMedianStopPair(task: MedianStopTask): Promise<MedianStopPair> {
  const data = makeDataset(task.seed);
  const plain = await runMedianStopExperiment(task, data, false);
  const stopped = await runMedianStopExperiment(task, data, true);
  return {
    seed: task.seed,
    plain,
    stopped,
    saving: 1 - stopped.epochs / plain.epochs,
    bestGap: (stopped.best - plain.best) / Math.abs(plain.best),
  };
}

/** Options of {@link runMedianStopBench}; defaults are those of `npm run bench:multifidelity`. */
export interface MedianStopBenchOptions {
  readonly seeds?: number;
  readonly trials?: number;
  readonly parallel?: number;
  readonly epochs?: number;
  /** medianstop's settings; empty (the default) means Katib's defaults, start_step 4 and min_trials_required 3. */
  readonly settings?: Settings;
  readonly log?: (line: string) => void;
}

/** The median-stop result over seeds, and its target (≥ 30% of epochs saved, best within 1% on every seed). */
export interface MedianStopReport {
  readonly options: { seeds: number; trials: number; parallel: number; epochs: number; settings: Settings };
  readonly pairs: MedianStopPair[];
  readonly medianSaving: number;
  readonly medianGap: number;
  /** Seeds whose best trial with stopping is within 1% of the best without. */
  readonly within: number;
  readonly status: 'pass' | 'fail';
}

/** Saving required by issue #4, and how close the best trial must stay. */
export const medianStopTarget: { readonly saving: number; readonly gap: number } = { saving: 0.3, gap: 0.01 };

/** Runs {@link runMedianStopPair} for seeds 0 … seeds−1 and summarises. */
export async function runMedianStopBench(o: MedianStopBenchOptions = {}): Promise<MedianStopReport> {
  const options = {
    seeds: o.seeds ?? 5,
    trials: o.trials ?? 40,
    parallel: o.parallel ?? 4,
    epochs: o.epochs ?? 20,
    settings: o.settings ?? {},
  };
  const pairs: MedianStopPair[] = [];
  for (let seed = 0; seed < options.seeds; seed++) {
    const pair = await runMedianStopPair({ ...options, seed });
    pairs.push(pair);
    o.log?.(
      `medianstop seed ${seed}: ${pair.stopped.epochs}/${pair.plain.epochs} epochs, saving ${(pair.saving * 100).toFixed(0)}%, best gap ${(pair.bestGap * 100).toFixed(2)}%`,
    );
  }
  const medianSaving = median(pairs.map((p) => p.saving));
  const medianGap = median(pairs.map((p) => p.bestGap));
  const within = pairs.filter((p) => p.bestGap <= medianStopTarget.gap).length;
  const ok = medianSaving >= medianStopTarget.saving && within === pairs.length && pairs.length > 0;
  return { options, pairs, medianSaving, medianGap, within, status: ok ? 'pass' : 'fail' };
}
