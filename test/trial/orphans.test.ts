// Resume after kill -9 signals a recorded pid only when /proc shows it is still the trial's program.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pidFile, recordTrialProcesses, stopRecordedProcesses } from '../../src/trial/orphans.ts';
import { readProcessIdentity, trialTokenVariable } from '../../src/trial/processIdentity.ts';
import { isAlive, tempDir, waitUntilGone } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
const children: ChildProcess[] = [];
beforeEach(() => {
  tmp = tempDir('hpo-orphans-');
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.pid !== undefined) signalQuietly(-c.pid);
  tmp.cleanup();
});

function signalQuietly(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** "Someone else's process": a sleep of ours in its own process group, standing in for a pid reused after a crash. */
function startSleep(env: Record<string, string> = {}): number {
  const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', ...env } });
  children.push(c);
  return c.pid ?? 0;
}

describe('stopRecordedProcesses', () => {
  it('kills a recorded group whose leader is still the recorded program', async () => {
    const token = `lead-${process.pid}-${Date.now()}`;
    const pid = startSleep({ [trialTokenVariable]: token });
    const identity = readProcessIdentity(pid);
    expect(identity?.cmdline).toEqual(['sleep', '30']);
    recordTrialProcesses(tmp.dir, [{ pid, token, ...(identity ? { identity } : {}) }]);
    const notes = stopRecordedProcesses(tmp.dir);
    expect(await waitUntilGone(pid)).toBe(true);
    expect(notes).toEqual([expect.objectContaining({ type: 'Normal', reason: 'OrphansStopped' })]);
  });

  it("does not signal a process whose identity was copied into the pid file (the trial can write it) but lacks the trial's token", async () => {
    const pid = startSleep();
    const identity = readProcessIdentity(pid)!;
    recordTrialProcesses(tmp.dir, [{ pid, token: 'forged-token', identity }]);
    const notes = stopRecordedProcesses(tmp.dir);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(true);
    expect(notes).toEqual([
      expect.objectContaining({
        type: 'Warning',
        message: expect.stringMatching(/does not lead its own process group/),
      }),
    ]);
  });

  it.each([
    ['another start time', { startTime: '1' }, /started at another time/],
    ['another command line', { cmdline: ['python', 'train.py'] }, /now runs 'sleep 30', not 'python train.py'/],
  ])('does not signal a live pid with %s, and says so', async (_, change, why) => {
    const pid = startSleep();
    const identity = readProcessIdentity(pid)!;
    recordTrialProcesses(tmp.dir, [{ pid, token: 'no-such-token', identity: { ...identity, ...change } }]);
    const notes = stopRecordedProcesses(tmp.dir);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(true);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ type: 'Warning', reason: 'OrphanNotSignalled' });
    expect(notes[0]?.message).toMatch(why);
    expect(notes[0]?.message).toMatch(/not signalled/);
  });

  it('does not signal a pid from another boot', async () => {
    const pid = startSleep();
    const identity = readProcessIdentity(pid)!;
    recordTrialProcesses(tmp.dir, [{ pid, token: 'no-such-token', identity: { ...identity, bootId: 'other-boot' } }]);
    expect(stopRecordedProcesses(tmp.dir)).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(true);
  });

  it('never signals the pids of an old-format pid file, and reports the live ones', async () => {
    const pid = startSleep();
    writeFileSync(join(tmp.dir, pidFile), `${pid}\n`);
    const notes = stopRecordedProcesses(tmp.dir);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(true);
    expect(notes).toEqual([
      expect.objectContaining({ type: 'Warning', message: expect.stringMatching(/old-format pid file/) }),
    ]);
  });

  it('reports a pid file it cannot read instead of staying silent', () => {
    writeFileSync(join(tmp.dir, pidFile), '{garbage');
    expect(stopRecordedProcesses(tmp.dir)).toEqual([
      expect.objectContaining({ type: 'Warning', message: expect.stringMatching(/cannot be identified/) }),
    ]);
  });

  it('does not signal a pid recorded without /proc', async () => {
    const pid = startSleep();
    recordTrialProcesses(tmp.dir, [{ pid, token: 'no-such-token' }]);
    const notes = stopRecordedProcesses(tmp.dir);
    await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(true);
    expect(notes[0]?.message).toMatch(/cannot be verified/);
  });

  it('kills processes carrying the trial token even when the leader is gone', async () => {
    const token = `tok-${process.pid}-${Date.now()}`;
    const escaped = startSleep({ [trialTokenVariable]: token });
    const bystander = startSleep();
    recordTrialProcesses(tmp.dir, [{ pid: 999_999_999, token }]);
    stopRecordedProcesses(tmp.dir);
    expect(await waitUntilGone(escaped)).toBe(true);
    expect(isAlive(bystander)).toBe(true);
  });

  it('never signals anything for hostile or broken pid files (pid 1, this process, garbage)', () => {
    // process.kill is stubbed for real signals, so a regression here cannot kill(-1) the machine.
    const real = process.kill.bind(process);
    const sent: [number, string | number | undefined][] = [];
    const spy = vi.spyOn(process, 'kill').mockImplementation((pid: number, signal?: string | number) => {
      if (signal === 0) return real(pid, 0);
      sent.push([pid, signal]);
      return true;
    });
    try {
      for (const pid of [1, process.pid]) {
        const identity = readProcessIdentity(pid);
        writeFileSync(
          join(tmp.dir, pidFile),
          JSON.stringify({ format: 'hpo-pid/2', processes: [{ pid, token: 'x', ...(identity ? { identity } : {}) }] }),
        );
        stopRecordedProcesses(tmp.dir);
      }
      for (const text of ['{', '1\n0\n-1\n', 'null', '{"format":"hpo-pid/2","processes":[null,{"pid":"1"}]}']) {
        writeFileSync(join(tmp.dir, pidFile), text);
        stopRecordedProcesses(tmp.dir);
      }
    } finally {
      spy.mockRestore();
    }
    expect(sent).toEqual([]);
  });
});
