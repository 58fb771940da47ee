// Tunes a function in this Node process with optimize(): every trial is a call, report() is Katib's Push
// collector. Run: node --import tsx examples/in-process.ts
import { Experiment, search } from '../src/index.ts';

// Branin, a standard 2-D test function (minimum 0.397887).
function branin(x: number, y: number): number {
  const a = 1;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return a * (y - b * x ** 2 + c * x - 6) ** 2 + 10 * (1 - t) * Math.cos(x) + 10;
}

const experiment = Experiment.create({
  name: 'branin-in-process',
  objective: { type: 'minimize', objectiveMetricName: 'value' },
  algorithm: { algorithmName: 'sobol', algorithmSettings: { random_state: 1 } },
  parameters: [search.double('x', -5, 10), search.double('y', 0, 15)],
  maxTrialCount: 64,
  parallelTrialCount: 4,
  store: process.env.HPO_STORE ?? '.hpo',
});

const result = await experiment.optimize(async (params, report) => {
  const value = branin(params.x, params.y); // typed from the search space: x and y are numbers
  report({ value });
});
console.log(`${result.status} (${result.reason}); best ${JSON.stringify(result.bestTrial)}`);
await experiment.close();
