/**
 * Who a pid is. A pid alone is not an identity: after a crash and a reboot, or just enough forks, the number
 * names someone else's process, and `hpo` often runs as root. On Linux a process is identified by the boot it
 * runs in, its start time in clock ticks since that boot (field 22 of /proc/<pid>/stat) and its command line;
 * the pair (boot id, start time) never repeats for one pid. Without /proc nothing can be verified, and callers
 * must not signal what they cannot verify.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** What was recorded about a process when it was started, enough to recognise it later. */
export interface ProcessIdentity {
  readonly pid: number;
  /** /proc/sys/kernel/random/boot_id: a start time is only comparable within one boot. */
  readonly bootId: string;
  /** Field 22 of /proc/<pid>/stat, clock ticks after boot, kept as text (it can exceed 2^53 in theory). */
  readonly startTime: string;
  /** /proc/<pid>/cmdline with its NUL separators turned into the argv array. */
  readonly cmdline: readonly string[];
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The boot id of this machine, or undefined without /proc. */
export function bootId(): string | undefined {
  return readText('/proc/sys/kernel/random/boot_id')?.trim();
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses); [0] is the state. */
export function statFields(pid: number): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Reads the identity of live process `pid` from /proc; undefined when it is gone, a zombie (a zombie's
 * cmdline is empty and it can no longer be signalled usefully), or there is no /proc.
 */
export function readProcessIdentity(pid: number): ProcessIdentity | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const boot = bootId();
  const fields = statFields(pid);
  // Field 3 (state) is fields[0]; field 22 (starttime) is fields[19].
  const startTime = fields?.[19];
  if (boot === undefined || fields === undefined || startTime === undefined || fields[0] === 'Z') return undefined;
  const raw = readText(`/proc/${pid}/cmdline`);
  if (raw === undefined) return undefined;
  const cmdline = raw.split('\0');
  if (cmdline.at(-1) === '') cmdline.pop();
  return { pid, bootId: boot, startTime, cmdline };
}

/** How a recorded process compares with what runs under its pid now. */
export type IdentityCheck =
  | { readonly kind: 'same' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'different'; readonly why: string }
  | { readonly kind: 'unverifiable'; readonly why: string };

/**
 * Compares `recorded` with the process now running under its pid. Only `same` allows a signal. The command
 * line is compared too: a start time in ticks is coarse (10 ms), and a process that exec'd something else is
 * not the program that was started.
 */
export function checkIdentity(recorded: ProcessIdentity): IdentityCheck {
  const boot = bootId();
  if (boot === undefined) {
    return { kind: 'unverifiable', why: 'this system has no /proc to check which program holds the pid' };
  }
  if (boot !== recorded.bootId) return { kind: 'gone' };
  const now = readProcessIdentity(recorded.pid);
  if (now === undefined) return { kind: 'gone' };
  if (now.startTime !== recorded.startTime) {
    return { kind: 'different', why: `pid ${recorded.pid} now belongs to a process started at another time` };
  }
  if (now.cmdline.join('\0') !== recorded.cmdline.join('\0')) {
    return {
      kind: 'different',
      why: `pid ${recorded.pid} now runs '${now.cmdline.join(' ')}', not '${recorded.cmdline.join(' ')}'`,
    };
  }
  return { kind: 'same' };
}

/** Name of the environment variable that marks every process of one trial run (see {@link processesWithToken}). */
export const trialTokenVariable = 'HPO_TRIAL_TOKEN';

/** True when the environment of `pid` holds the whole entry `HPO_TRIAL_TOKEN=token` (false when unreadable). */
export function carriesToken(pid: number, token: string): boolean {
  if (token === '') return false;
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false;
  }
  return hasEntry(environ, Buffer.from(`${trialTokenVariable}=${token}`));
}

/** True when `environ` (NUL-separated) holds `needle` as a whole entry, so neither XHPO_TRIAL_TOKEN=abc nor HPO_TRIAL_TOKEN=abcd matches. */
function hasEntry(environ: Buffer, needle: Buffer): boolean {
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    const end = at + needle.length;
    if ((at === 0 || environ[at - 1] === 0) && (end === environ.length || environ[end] === 0)) return true;
  }
  return false;
}

/**
 * Pids of live processes (other than this one) whose environment carries `HPO_TRIAL_TOKEN=token`. Children
 * inherit the environment through fork, `setsid` and double forks, so this finds descendants that left the
 * trial's process group. It cannot find one that cleared its environment before exec, nor, unless we are root,
 * another user's processes (their environ is unreadable). Empty without /proc.
 */
export function processesWithToken(token: string, bornAfter?: number): number[] {
  if (token === '') return [];
  // A descendant is born after its ancestor. While the kernel's pid counter has not wrapped since `bornAfter` was
  // handed out (the last pid handed out is still at or above it), only higher pids can be descendants, so only
  // theirs are read: a scan then costs a readdir instead of one file read per process (~1 ms on a quiet host).
  // When no pid at all was handed out since `bornAfter`, nothing can descend from it and /proc is not read.
  const last = bornAfter === undefined ? undefined : lastPidHandedOut();
  if (last !== undefined && last === bornAfter) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const floor = last !== undefined && bornAfter !== undefined && last >= bornAfter ? bornAfter : 1;
  const found: number[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (Number.isInteger(pid) && pid > floor && pid !== process.pid && carriesToken(pid, token)) found.push(pid);
  }
  return found;
}

/** The last pid the kernel handed out in this pid namespace (Linux's `ns_last_pid`), or undefined. */
function lastPidHandedOut(): number | undefined {
  try {
    const n = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
