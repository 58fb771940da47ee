// The replica logs of a distributed trial: where the launcher writes them and how `hpo logs --replica` finds them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExperimentWorkspace, replicaLogFile } from '../../src/trial/workspace.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

function workspace(): ExperimentWorkspace {
  tmp = tempDir();
  return new ExperimentWorkspace(tmp.dir, 'exp');
}

function touch(path: string, text = ''): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

describe('replica logs', () => {
  it('puts a replica log next to the trial log', () => {
    const ws = workspace();
    expect(ws.replicaLogPath('exp-t1', 'worker-0')).toBe(`${ws.logPath('exp-t1')}.worker-0`);
    expect(replicaLogFile('/x/t.log', 'ps-1')).toBe('/x/t.log.ps-1');
  });

  it("lists a trial's replica logs in replica order, the master's being the trial log", async () => {
    const ws = workspace();
    touch(ws.logPath('t'));
    for (const r of ['worker-10', 'worker-2']) touch(ws.replicaLogPath('t', r));
    for (const r of ['master-0', 'worker-2', 'worker-10', '.hpo-mpi'])
      mkdirSync(join(ws.trialDir('t'), r), { recursive: true });
    // Another trial's logs, whose names start alike, are not this trial's.
    touch(ws.replicaLogPath('t2', 'worker-0'));
    touch(ws.logPath('t.log.worker-3'));
    expect(await ws.replicaLogs('t')).toEqual([
      { replica: 'master-0', path: ws.logPath('t'), master: true },
      { replica: 'worker-2', path: ws.replicaLogPath('t', 'worker-2'), master: false },
      { replica: 'worker-10', path: ws.replicaLogPath('t', 'worker-10'), master: false },
    ]);
  });

  it('lists none for a single-process trial, even one that makes folders named like replicas', async () => {
    const ws = workspace();
    touch(ws.logPath('t'));
    mkdirSync(join(ws.trialDir('t'), 'run-1'), { recursive: true });
    expect(await ws.replicaLogs('t')).toEqual([]);
    expect(await ws.replicaLogs('missing')).toEqual([]);
  });
});
