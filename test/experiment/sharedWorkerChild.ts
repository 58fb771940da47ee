// One `hpo worker` in a child process for the kill -9 tests: `node --import tsx sharedWorkerChild.ts <storeDir>
// <experiment> <heartbeatMs> <trialMs> [gateFile]`. With a gate file it loads, then joins only once that file
// exists. Prints `started <trial>` as each trial starts, and `done` at the end.
import { existsSync } from 'node:fs';
import { joinExperiment } from '../../src/experiment/join.ts';
import { sleepExecutor } from './sleepExecutor.ts';

const [dir, name, heartbeat, trialMs, gate] = process.argv.slice(2);
if (dir === undefined || name === undefined || trialMs === undefined)
  throw new Error('usage: sharedWorkerChild.ts <storeDir> <experiment> <heartbeatMs> <trialMs>');
const executor = sleepExecutor(
  () => Number(trialMs),
  (t) => process.stdout.write(`started ${t}\n`),
  (t) => process.stdout.write(`recovered ${t}\n`),
);
while (gate !== undefined && !existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 20));
const summary = await joinExperiment({ store: dir, experiment: name, executor, heartbeatMs: Number(heartbeat) });
process.stdout.write(`done ${summary.record.phase} ${summary.stored.length}\n`);
