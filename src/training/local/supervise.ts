/**
 * Watches the processes of one distributed trial and decides how it ended, like the training operators do:
 * the first replica that fails fails the job, the master replica's success completes it, and whatever is still
 * running afterwards is stopped (process group SIGTERM, then SIGKILL).
 */
import type { ProcessExit, TrialProcess } from '../../trial/process.ts';

/** One started replica process. */
export interface SupervisedReplica {
  /** `Worker-0`, for messages. */
  readonly label: string;
  readonly role: string;
  readonly master: boolean;
  readonly process: TrialProcess;
  readonly logPath: string;
}

/** How the group ended. `late` lists replicas that failed after the master had completed (they do not count). */
export type GroupOutcome =
  | { readonly kind: 'completed'; readonly exit: ProcessExit; readonly late: readonly LateExit[] }
  | { readonly kind: 'failed'; readonly replica: SupervisedReplica; readonly exit: ProcessExit }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'deadline' };

/** A replica that failed after the trial's outcome was decided. */
export interface LateExit {
  readonly replica: SupervisedReplica;
  readonly exit: ProcessExit;
}

/** Options of {@link superviseReplicas}. */
export interface SuperviseOptions {
  /** Aborted when the controller stops the trial. */
  readonly signal: AbortSignal;
  /** The stop reason given to the processes when `signal` aborts. */
  readonly stopReason: () => string;
  /** `activeDeadlineSeconds` of the whole job, in ms. */
  readonly timeoutMs?: number;
  /** How long the other replicas may take to exit by themselves after the master completed. */
  readonly finishGraceMs: number;
  /** Roles that serve until stopped (TF parameter servers): stopped as soon as the master completes. */
  readonly serverRoles: ReadonlySet<string>;
}

/** True when a replica process did not end with exit status 0. */
export function exitFailed(exit: ProcessExit): boolean {
  return exit.error !== undefined || exit.exitCode !== 0;
}

/** Waits for the outcome, then stops the remaining replicas and waits until every process has exited. */
export async function superviseReplicas(
  replicas: readonly SupervisedReplica[],
  options: SuperviseOptions,
): Promise<GroupOutcome> {
  let decide!: (o: GroupOutcome) => void;
  const decided = new Promise<GroupOutcome>((resolve) => {
    decide = resolve;
  });
  let outcome: GroupOutcome | undefined;
  const settle = (o: GroupOutcome): void => {
    if (outcome !== undefined) return;
    outcome = o;
    decide(o);
  };
  const exits = new Map<SupervisedReplica, ProcessExit>();
  const all = replicas.map((r) =>
    r.process.exited.then((exit) => {
      exits.set(r, exit);
      if (exitFailed(exit)) settle({ kind: 'failed', replica: r, exit });
      else if (r.master) settle({ kind: 'completed', exit, late: [] });
      else if (exits.size === replicas.length) settle({ kind: 'completed', exit, late: [] });
    }),
  );
  const onAbort = (): void => settle({ kind: 'stopped' });
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });
  const deadline =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => settle({ kind: 'deadline' }), Math.min(options.timeoutMs, 2 ** 31 - 1));

  const result = await decided;
  options.signal.removeEventListener('abort', onAbort);
  clearTimeout(deadline);

  const stopAll = (reason: string): void => {
    for (const r of replicas) if (!exits.has(r)) void r.process.stop(reason);
  };
  if (result.kind === 'completed') {
    for (const r of replicas)
      if (options.serverRoles.has(r.role) && !exits.has(r)) void r.process.stop('job completed');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(all),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.finishGraceMs);
      }),
    ]);
    clearTimeout(timer);
    stopAll(`the master replica completed ${options.finishGraceMs / 1000}s ago`);
  } else if (result.kind === 'stopped') stopAll(options.stopReason());
  else if (result.kind === 'deadline') stopAll('the job ran past activeDeadlineSeconds');
  else stopAll(`replica ${result.replica.label} failed`);
  await Promise.all(all);

  if (result.kind !== 'completed') return result;
  // Failures after the master completed, other than the ones we caused by stopping.
  const late = replicas.flatMap((r) => {
    const exit = exits.get(r);
    return exit !== undefined && !r.master && exitFailed(exit) && exit.stoppedReason === undefined
      ? [{ replica: r, exit }]
      : [];
  });
  return { ...result, late };
}
