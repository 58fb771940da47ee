// `hpo resume` after kill -9 never signals a pid that no longer belongs to the trial (pid reuse, often as root).
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import { pidFile } from '../../src/trial/orphans.ts';
import { readProcessIdentity } from '../../src/trial/processIdentity.ts';
import { hpo, hpoAsync } from '../cliRunner.ts';
import { isAlive, jobExperimentYaml, tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
const mine: ChildProcess[] = [];
beforeEach(async () => {
  tmp = tempDir();
});
afterEach(async () => {
  for (const c of mine.splice(0)) if (c.pid !== undefined && c.exitCode === null) c.kill('SIGKILL');
  tmp.cleanup();
});

function experimentYaml(flag: string): string {
  return jobExperimentYaml({
    name: 'reuse',
    command: ['sh', '-c', `while [ ! -e ${flag} ]; do sleep 0.1; done; echo loss=\${trialParameters.x}`],
    algorithm: 'grid',
    settings: {},
    parameter: '{name: x, parameterType: int, feasibleSpace: {min: "0", max: "1"}}',
    maxTrialCount: 2,
    parallelTrialCount: 2,
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('resume after kill -9 with a reused pid', () => {
  it('does not signal a live process whose start time differs from the record, and says so in the events', async () => {
    const storeDir = join(tmp.dir, 'store');
    const flag = join(tmp.dir, 'go');
    const file = join(tmp.dir, 'exp.yaml');
    writeFileSync(file, experimentYaml(flag));
    const trialsDir = join(storeDir, 'experiments', 'reuse', 'trials');
    const pidFiles = (): string[] => {
      try {
        return readdirSync(trialsDir).flatMap((t) => {
          const f = join(trialsDir, t, pidFile);
          try {
            readFileSync(f);
            return [f];
          } catch {
            return [];
          }
        });
      } catch {
        return [];
      }
    };
    const run = hpoAsync(['run', file, '--store', storeDir, '--quiet']);
    mine.push(run);
    await waitFor(() => pidFiles().length === 2, 60_000);
    run.kill('SIGKILL');
    await new Promise((r) => run.once('exit', r));

    // Someone else's process now holds the pid recorded for the first trial (same program, other start time).
    const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    mine.push(bystander);
    const identity = readProcessIdentity(bystander.pid ?? 0);
    expect(identity).toBeDefined();
    const victim = pidFiles()[0]!;
    writeFileSync(
      victim,
      JSON.stringify({
        format: 'hpo-pid/2',
        processes: [{ pid: bystander.pid, token: 'gone', identity: { ...identity, startTime: '1' } }],
      }),
    );
    writeFileSync(flag, '');

    const resumed = hpo(['resume', 'reuse', '--store', storeDir, '--quiet']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(isAlive(bystander.pid ?? 0)).toBe(true);
    const store = openStore(storeDir);
    const events = await store.listEvents('reuse');
    await store.close();
    const refused = events.filter((e) => e.reason === 'OrphanNotSignalled');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.message).toContain(`pid ${bystander.pid} now belongs to a process started at another time`);
    expect(refused[0]?.trial).toBe(victim.split('/').at(-2));
  }, 120_000);
});
