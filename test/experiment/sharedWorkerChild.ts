// One `hpo worker` in a child process for the kill -9 tests: `node --import tsx sharedWorkerChild.ts <storeDir>
// <experiment> <heartbeatMs> <trialMs>`. Prints `started <trial>` as each trial starts, and `done` at the end.
import { joinExperiment } from '../../src/experiment/join.ts';
import { sleepExecutor } from './sleepExecutor.ts';

const [dir, name, heartbeat, trialMs] = process.argv.slice(2);
if (dir === undefined || name === undefined || trialMs === undefined)
  throw new Error('usage: sharedWorkerChild.ts <storeDir> <experiment> <heartbeatMs> <trialMs>');
const executor = sleepExecutor(
  () => Number(trialMs),
  (t) => process.stdout.write(`started ${t}\n`),
  (t) => process.stdout.write(`recovered ${t}\n`),
);
const summary = await joinExperiment({ store: dir, experiment: name, executor, heartbeatMs: Number(heartbeat) });
process.stdout.write(`done ${summary.record.phase} ${summary.stored.length}\n`);
