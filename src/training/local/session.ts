/**
 * Process sessions of replica programs. Each replica starts as the leader of its own session (and process
 * group); programs such as Open MPI's `mpirun` put their children in process groups of their own, so a group
 * signal misses them, but they stay in the session. On Linux the session is found through /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The session id of `pid` from /proc/<pid>/stat, or undefined (gone, or no /proc). */
function sessionOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state ppid pgrp session ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[3]);
  } catch {
    return undefined;
  }
}

/**
 * SIGKILLs every process of session `sid` (a replica's leader pid) and returns how many it signalled. Called
 * once a replica's program has exited, like a container's processes end with it; a no-op without /proc.
 */
export function killSession(sid: number): number {
  if (sid <= 1) return 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  let n = 0;
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
    if (sessionOf(pid) !== sid) continue;
    try {
      process.kill(pid, 'SIGKILL');
      n++;
    } catch {
      // already gone
    }
  }
  return n;
}
