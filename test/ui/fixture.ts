import { Experiment } from '../../src/experiment/experiment.ts';
import { type BuildManifestOptions, search } from '../../src/spec/create.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';

/** A small real experiment: random search over x, y and a kernel, in process, reporting `loss` at three steps. */
export function demoExperiment(name: string, over: Partial<BuildManifestOptions> = {}): BuildManifestOptions {
  return {
    name,
    objective: { type: 'minimize', objectiveMetricName: 'loss' },
    algorithm: { algorithmName: 'random', algorithmSettings: { random_state: '7' } },
    parameters: [search.double('x', -2, 2), search.double('y', 0, 1), search.categorical('kernel', ['rbf', 'poly'])],
    maxTrialCount: 12,
    parallelTrialCount: 2,
    ...over,
  };
}

/** The objective of {@link demoExperiment}: reports three steps of `loss`, the last being the objective. */
export async function demoObjective(
  p: Readonly<Record<string, unknown>>,
  report: (m: Record<string, number>) => void,
): Promise<number> {
  const loss = (Number(p.x) - 0.5) ** 2 + Number(p.y) + (p.kernel === 'rbf' ? 0 : 0.25);
  for (const k of [3, 2, 1]) report({ loss: loss * k });
  return loss;
}

/** Hostile names: quotes, markup, a path climb and a slash, each of which the dashboard must show as text. */
export const hostile = { namespace: 'ns"<b>', name: '<script>alert(1)</script>', trial: '../../etc/passwd"\'<i>' };

/**
 * Writes a store in `dir` by a real run of {@link demoExperiment} (`demo`, 12 trials), then adds an experiment and a
 * trial under {@link hostile} names straight through the store (specs could not name them so).
 */
export async function writeDemoStore(dir: string): Promise<void> {
  const store: Store = openStore(dir);
  try {
    await Experiment.create({ ...demoExperiment('demo'), store }).optimize(demoObjective);
    const demo = (await store.getExperiment('demo'))!;
    const first = (await store.listTrials('demo'))[0]!;
    await store.createExperiment({ ...demo, namespace: hostile.namespace, name: hostile.name });
    await store.insertTrial({ ...first, namespace: hostile.namespace, experiment: hostile.name, name: hostile.trial });
  } finally {
    await store.close();
  }
}

/**
 * Adds experiment `name` with `n` trials to `store`: two from a real run (so the record is one a run wrote), the rest
 * inserted in one transaction, Succeeded with a `loss` objective, parameters from a fixed sequence (no clock, no
 * randomness), for the 10,000-trial answer-time test and the dashboard benchmark.
 */
export async function writeLargeExperiment(store: Store, name: string, n: number): Promise<void> {
  await Experiment.create({ ...demoExperiment(name, { maxTrialCount: 2 }), store }).optimize(demoObjective);
  const [first] = await store.listTrials(name);
  await store.transaction(async (tx) => {
    for (let i = 2; i < n; i++) {
      const x = ((i * 7919) % 4000) / 1000 - 2;
      const y = ((i * 104729) % 1000) / 1000;
      const kernel = i % 3 === 0 ? 'poly' : 'rbf';
      const loss = (x - 0.5) ** 2 + y + (kernel === 'rbf' ? 0 : 0.25);
      await tx.insertTrial({
        ...first!,
        name: `${name}-${String(i).padStart(5, '0')}`,
        seq: i,
        params: { x, y, kernel },
        state: 'Succeeded',
        objective: loss,
        metrics: [{ name: 'loss', min: loss, max: loss * 3, latest: String(loss) }],
      });
    }
  });
}

/**
 * Latency of the {@link writeTradeoffExperiment} trial with x = 0…4: with loss = x, x = 2 is beaten by x = 1 and x = 4
 * by x = 3 on both, so the Pareto front is x = 0, 1 and 3.
 */
export const tradeoffLatency = [5, 3, 4, 1, 1];

/**
 * Adds experiment `name` to `store`: a real in-process grid run over x = 0…4 minimising `loss` = x and `latency_ms`
 * (an additional objective, {@link tradeoffLatency}), one trial after the other, so the trials are in x order.
 */
export async function writeTradeoffExperiment(store: Store, name: string): Promise<void> {
  const e = Experiment.create({
    name,
    objective: {
      type: 'minimize',
      objectiveMetricName: 'loss',
      additionalObjectives: [{ type: 'minimize', objectiveMetricName: 'latency_ms' }],
    },
    algorithm: { algorithmName: 'grid' },
    parameters: [search.discrete('x', [0, 1, 2, 3, 4])],
    maxTrialCount: 5,
    parallelTrialCount: 1,
    store,
  });
  await e.optimize((p) => ({ loss: Number(p.x), latency_ms: tradeoffLatency[Number(p.x)]! }));
  await e.close();
}
