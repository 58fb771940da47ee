// One `optimize(objective, { join })` in a child process for optimizeJoin.test.ts: `node --import tsx
// optimizeJoinChild.ts <storeDir> <worker>`. Every trial takes ~80 ms and reports loss = x; prints `ran <trial>` for
// each trial it ran and `done <status> <trials>` at the end.
import { Experiment } from '../../src/experiment/experiment.ts';
import { sequenceExperiment } from '../helpers.ts';

const [dir, worker] = process.argv.slice(2);
if (dir === undefined || worker === undefined) throw new Error('usage: optimizeJoinChild.ts <storeDir> <worker>');
const exp = Experiment.create({
  ...sequenceExperiment('processes', { maxTrialCount: 12, parallelTrialCount: 2 }),
  store: dir,
});
const result = await exp.optimize(
  async (p, report, ctx) => {
    process.stdout.write(`ran ${ctx.trial}\n`);
    await new Promise((resolve) => setTimeout(resolve, 80));
    report({ loss: Number(p.x) });
  },
  { join: { worker, heartbeatMs: 400 } },
);
await exp.close();
process.stdout.write(`done ${result.status} ${result.trials.length}\n`);
