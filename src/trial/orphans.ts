/**
 * The pid file of a trial, and stopping what a controller killed with `kill -9` left running. A pid is only
 * signalled after /proc shows it is still the recorded program (see `processIdentity.ts`); processes carrying
 * the trial's token are ours whatever their pid. Anything that cannot be verified is reported, never signalled:
 * `hpo` often runs as root, and a reused pid belongs to someone else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { carriesToken, checkIdentity, type ProcessIdentity, statFields } from './processIdentity.ts';
import { signalTokenHolders } from './processTree.ts';

/** File in a trial's folder recording its process-group leaders (JSON; older versions wrote one pid a line). */
export const pidFile = '.hpo-pid';

const format = 'hpo-pid/2';

/** One recorded process-group leader: its token, and its identity where /proc was there to read it. */
export interface RecordedProcess {
  readonly pid: number;
  readonly token: string;
  readonly identity?: ProcessIdentity;
}

/** Something recovery did or refused to do, for the trial's events. */
export interface RecoveryNote {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** Records a trial's process-group leaders so a controller restarted after kill -9 can stop them. */
export function recordTrialProcesses(workDir: string, processes: readonly RecordedProcess[]): void {
  // Only the record's own fields: callers pass TrialProcess objects, whose promise and stop() are not data.
  const live = processes
    .filter((p) => p.pid > 0)
    .map((p) => ({ pid: p.pid, token: p.token, ...(p.identity === undefined ? {} : { identity: p.identity }) }));
  if (live.length === 0) return;
  writeFileSync(join(workDir, pidFile), `${JSON.stringify({ format, processes: live })}\n`);
}

function parseRecord(v: unknown): RecordedProcess | undefined {
  const r = v as Partial<RecordedProcess> | null;
  if (r === null || typeof r !== 'object' || typeof r.token !== 'string') return undefined;
  // The file lives in the trial's own folder, which the trial can write: pid 1 (and kill(-1), "everyone")
  // and this process are never candidates, whatever the file says.
  if (!Number.isInteger(r.pid) || (r.pid as number) <= 1 || r.pid === process.pid) return undefined;
  const id = r.identity as Partial<ProcessIdentity> | undefined;
  const identity =
    id !== undefined &&
    typeof id.pid === 'number' &&
    id.pid === r.pid &&
    typeof id.bootId === 'string' &&
    typeof id.startTime === 'string' &&
    Array.isArray(id.cmdline)
      ? { pid: id.pid, bootId: id.bootId, startTime: id.startTime, cmdline: id.cmdline.map(String) }
      : undefined;
  return { pid: r.pid as number, token: r.token, ...(identity === undefined ? {} : { identity }) };
}

/** The pid file's content: new-format records, and pids from an old-format file (no identity, no token). */
function readPidFile(workDir: string): { records: RecordedProcess[]; legacy: number[]; unreadable?: string } {
  let text: string;
  try {
    text = readFileSync(join(workDir, pidFile), 'utf8');
  } catch {
    return { records: [], legacy: [] };
  }
  try {
    const doc = JSON.parse(text) as { format?: unknown; processes?: unknown };
    if (doc !== null && typeof doc === 'object' && doc.format === format && Array.isArray(doc.processes)) {
      return { records: doc.processes.flatMap((p) => parseRecord(p) ?? []), legacy: [] };
    }
  } catch {
    // Not JSON: the one-pid-a-line file of hpo-workbench before process identities were recorded.
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!lines.every((l) => /^\s*-?\d+\s*$/.test(l))) {
    return {
      records: [],
      legacy: [],
      unreadable: `${join(workDir, pidFile)} is neither a pid file of ours nor a list of pids`,
    };
  }
  const legacy = lines.map((l) => Number(l.trim())).filter((p) => Number.isInteger(p) && p > 1);
  return { records: [], legacy };
}

/** The recorded leader still leads its process group and carries the trial's token. */
function leadsOwnTrial(r: RecordedProcess): boolean {
  return Number(statFields(r.pid)?.[2]) === r.pid && carriesToken(r.pid, r.token);
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * SIGKILLs what a dead controller left running of a trial: each recorded group whose leader /proc still shows
 * as the recorded program (then `onVerified(pid)` runs, e.g. to end its session too), and every process carrying
 * a recorded token. Returns notes for the trial's events: what was stopped, and each pid it refused to signal.
 */
export function stopRecordedProcesses(
  workDir: string | undefined,
  onVerified: (pid: number) => void = () => {},
): RecoveryNote[] {
  if (!workDir) return [];
  const { records, legacy, unreadable } = readPidFile(workDir);
  const notes: RecoveryNote[] = [];
  const refuse = (message: string): void => {
    notes.push({ type: 'Warning', reason: 'OrphanNotSignalled', message });
  };
  if (unreadable !== undefined) {
    refuse(`${unreadable}: processes this trial left running cannot be identified, so none were signalled`);
  }
  for (const pid of legacy) {
    if (!exists(pid)) continue;
    refuse(
      `pid ${pid} from an old-format pid file cannot be verified as this trial's program, so it was not signalled; stop it by hand if it is`,
    );
  }
  const stopped: number[] = [];
  for (const r of records) {
    // The leader first: killing token holders first would kill it too, and group members that cleared their
    // environment could then no longer be reached through the (verified) group.
    const check = r.identity === undefined ? undefined : checkIdentity(r.identity);
    if (check === undefined) {
      if (exists(r.pid))
        refuse(`pid ${r.pid} was recorded without /proc, so it cannot be verified and was not signalled`);
    } else if (check.kind === 'same' && !leadsOwnTrial(r)) {
      // The trial can rewrite its pid file: a copied identity of someone else's process lacks our token.
      refuse(
        `pid ${r.pid} matches the recorded program but does not lead its own process group with this trial's token, so it was not signalled`,
      );
    } else if (check.kind === 'same') {
      try {
        process.kill(-r.pid, 'SIGKILL');
        stopped.push(r.pid);
      } catch {
        // gone meanwhile
      }
      onVerified(r.pid);
    } else if (check.kind !== 'gone') {
      refuse(`${check.why}; it is not this trial's program and was not signalled`);
    }
    const refused = signalTokenHolders(r.token, 'SIGKILL');
    if (refused.length > 0) {
      refuse(`processes ${refused.join(', ')} carry this trial's token but may not be signalled by this user`);
    }
  }
  if (stopped.length > 0) {
    notes.push({
      type: 'Normal',
      reason: 'OrphansStopped',
      message: `stopped process group(s) ${stopped.join(', ')} left running by the previous controller`,
    });
  }
  return notes;
}
