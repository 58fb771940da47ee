// A second process for the concurrency tests: `node --import tsx child.ts <mode> <storeDir>`.
import { openSqliteDatabase } from '../../src/store/sqlite.ts';
import { experiment, trial } from './fixtures-data.ts';

const [mode, dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: child.ts <crash|write> <dir>');
const store = openSqliteDatabase(dir);

if (mode === 'crash') {
  // Commit some work, take the lock, then die the way `kill -9` kills: no close, no checkpoint, no unlock.
  store.createExperiment(experiment('crashy'));
  store.transaction(() => {
    for (let seq = 0; seq < 50; seq++) store.insertTrial(trial('crashy', seq));
  });
  store.updateTrial('crashy', 'crashy-t0', { state: 'Running' });
  if (!store.acquireExperimentLock('crashy', process.pid)) throw new Error('lock refused');
  process.stdout.write(`${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
} else if (mode === 'write') {
  // Reads what the parent wrote, adds a trial, and reports what it saw.
  const seen = store.countTrials('shared');
  store.insertTrial(trial('shared', seen));
  process.stdout.write(`${JSON.stringify({ seen, lock: store.acquireExperimentLock('shared', process.pid) })}\n`);
  store.close();
} else {
  throw new Error(`unknown mode ${mode}`);
}
