/**
 * Runs one trial's program as a local process: the primary container's command+args spawned as an argument
 * array (never a shell) in its own process group, output streamed to the trial's log file and split into
 * lines for the metrics collector, with a deadline (`activeDeadlineSeconds`) and a stop that reaches the group
 * and every descendant carrying the run's `HPO_TRIAL_TOKEN`, including those that left the group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { OverlongLine } from '../metrics/types.ts';
import { explainSpawnError, resolveCommand } from './findExecutable.ts';
import { type ProcessIdentity, readProcessIdentity, trialTokenVariable } from './processIdentity.ts';
import { signalTree, survivors, sweepAfterExit, trackLive, untrackLive } from './processTree.ts';

export { resolveCommand } from './findExecutable.ts';
export { killLiveTrialProcesses } from './processTree.ts';

/** How a trial process ended. A failed spawn is an outcome here (`error` set), never a throw. */
export interface ProcessExit {
  /** The exit status; null when a signal ended the process or it never started. */
  readonly exitCode: number | null;
  /** The signal that ended the process (`SIGTERM`, `SIGKILL`, ...), or null. */
  readonly signal: string | null;
  /** True when `timeoutMs` (the template's `activeDeadlineSeconds`) ran out and the group was stopped. */
  readonly timedOut: boolean;
  /** The reason given to the first `stop()` that found the process running. Not set for timeouts. */
  readonly stoppedReason?: string;
  /** Why the program could not be started, naming the command and the fix (ENOENT, EACCES, no command). */
  readonly error?: string;
  /** The log file could not be written or `onLine` threw; the run itself may still have succeeded. */
  readonly outputError?: string;
  /** The last ~4 KB of combined stdout+stderr, for error messages. */
  readonly tail: string;
  /**
   * Pids of processes carrying this run's token that were still alive after the program exited and everything
   * of it was SIGKILLed (blocked in the kernel, or another user's); absent when none. They are not waited for.
   */
  readonly survivors?: readonly number[];
}

/** A started trial process. `exited` resolves once the log is closed and every line was delivered. */
export interface TrialProcess {
  /** The process id, which is also its process-group id; 0 when the program could not be started. */
  readonly pid: number;
  /** The value of `HPO_TRIAL_TOKEN` in the program's environment, inherited by all its descendants. */
  readonly token: string;
  /** The program as /proc saw it right after the start, to recognise it after a controller crash; none without /proc. */
  readonly identity?: ProcessIdentity;
  readonly exited: Promise<ProcessExit>;
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves like `exited`. Idempotent. */
  stop(reason: string): Promise<ProcessExit>;
}

/** Options of {@link startTrialProcess}. `env` is the complete environment (see `trialEnvironment`). */
export interface StartTrialProcessOptions {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Truncated at start: a trial run always gets a fresh log. Its directory is created if missing. */
  readonly logPath: string;
  /** Deadline after which the group is stopped and `timedOut` is set; omit for none. */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL; default 5000 ms (Kubernetes' default grace period is 30 s). */
  readonly graceMs?: number;
  /**
   * How long output may still arrive after the program exited before its pipes are closed; default 1000 ms.
   * A descendant we could not find (it cleared its environment) may hold them open forever.
   */
  readonly drainMs?: number;
  /** Called for every output line (without its `\n`/`\r\n`), in order within each stream. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called instead of `onLine` for a line longer than {@link MAX_LINE_LENGTH}. */
  readonly onOverlongLine?: (line: OverlongLine, stream: 'stdout' | 'stderr') => void;
}

/** Longest line passed to `onLine`, in UTF-16 code units; a longer line is skipped whole (the log keeps it). */
export const MAX_LINE_LENGTH: number = 1024 * 1024;
const TAIL_BYTES = 4096;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Starts `opts.argv` as a detached process (its own process-group leader) and returns at once.
 * `python`/`python3` go through {@link resolveCommand}. Like a container, the trial ends when the program itself
 * exits: whatever it left running, in its group or escaped from it but carrying its token, is SIGKILLed (the
 * kernel does the same when a container's PID 1 exits), and output is read for at most `drainMs` more.
 */
export function startTrialProcess(opts: StartTrialProcessOptions): TrialProcess {
  const graceMs = opts.graceMs ?? 5000;
  const drainMs = opts.drainMs ?? 1000;
  const token = randomUUID();
  // Without PATH in env, spawn would search only /usr/bin:/bin; inherit the controller's PATH.
  const env: Record<string, string> = { ...opts.env, [trialTokenVariable]: token };
  if (env.PATH === undefined && process.env.PATH !== undefined) env.PATH = process.env.PATH;

  const output = new OutputSink(opts.logPath, opts.onLine, opts.onOverlongLine);
  const argv0 = opts.argv[0];
  if (argv0 === undefined || argv0 === '') {
    const message =
      "the trial has no command; set the primary container's command/args in spec.trialTemplate.trialSpec (an image's ENTRYPOINT is not available locally)";
    return failedProcess(output, message, token);
  }
  const command = resolveCommand(argv0, env);
  let child: ChildProcess;
  try {
    child = spawn(command, opts.argv.slice(1), {
      cwd: opts.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
  } catch (err) {
    // Synchronous throws: invalid arguments (a NUL byte in an argument), or exec's own refusals such as E2BIG.
    const e = err as NodeJS.ErrnoException;
    const message =
      typeof e.code === 'string' && e.code.startsWith('E') && e.code !== 'ERR_INVALID_ARG_VALUE'
        ? explainSpawnError(e, { argv0, command, cwd: opts.cwd, path: env.PATH ?? '', argv: opts.argv, env })
        : `cannot start '${command}': ${e.message}`;
    return failedProcess(output, message, token);
  }

  const pid = child.pid ?? 0;
  const tree = { pgid: pid, token };
  // spawn() returns after the child exec'd (libuv waits for it), so /proc shows the program, not a fork of node.
  const identity = pid > 0 ? readProcessIdentity(pid) : undefined;
  let spawnError: string | undefined;
  let timedOut = false;
  let stoppedReason: string | undefined;
  let terminating = false;
  // The program itself has ended; only its output (and stragglers we already SIGKILLed) may remain.
  let leaderExited = false;
  /** Escaped descendants the sweep found when the program exited (none when it never started). */
  let swept: number[] = [];
  let closed = false;
  let killTimer: NodeJS.Timeout | undefined;
  let drainTimer: NodeJS.Timeout | undefined;
  let deadline: { cancel(): void } | undefined;
  if (pid > 0) trackLive(tree);

  const terminate = (): void => {
    if (terminating || leaderExited || closed) return;
    terminating = true;
    signalTree(tree, 'SIGTERM');
    killTimer = setTimeout(() => signalTree(tree, 'SIGKILL'), graceMs);
  };

  const exited = new Promise<ProcessExit>((resolveExit) => {
    child.stdout?.on('data', (chunk: Buffer) => output.write(chunk, 'stdout', child));
    child.stderr?.on('data', (chunk: Buffer) => output.write(chunk, 'stderr', child));
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Emitted on spawn failure (then 'close' follows); kill errors cannot occur since we use process.kill.
      spawnError ??= explainSpawnError(err, {
        argv0,
        command,
        cwd: opts.cwd,
        path: env.PATH ?? '',
        argv: opts.argv,
        env,
      });
    });
    child.on('exit', () => {
      leaderExited = true;
      swept = sweepAfterExit(tree);
      // An escaped descendant we could not find (it cleared its environment) inherited our pipes and may keep
      // them open for ever; the trial ends with its program, so stop reading after a short drain window.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, drainMs);
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      closed = true;
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      deadline?.cancel();
      untrackLive(pid);
      if (spawnError !== undefined) output.note(`[hpo] ${spawnError}\n`);
      // Only when the sweep at exit found escaped processes is there anything to wait for (one /proc scan per
      // trial otherwise: two cost ~1.5 ms of every trial's wall time).
      const left = swept.length > 0 ? survivors(token, 500, pid) : Promise.resolve([]);
      void left
        .then((stuck) => {
          if (stuck.length > 0) {
            output.note(
              `[hpo] processes ${stuck.join(', ')} carrying this trial's ${trialTokenVariable} could not be ended\n`,
            );
          }
          return output.close().then((sink) => ({ stuck, sink }));
        })
        .then(({ stuck, sink }) => {
          resolveExit({
            exitCode: spawnError === undefined ? code : null,
            signal: spawnError === undefined ? signal : null,
            timedOut,
            ...(stoppedReason === undefined ? {} : { stoppedReason }),
            ...(spawnError === undefined ? {} : { error: spawnError }),
            ...sink,
            ...(stuck.length === 0 ? {} : { survivors: stuck }),
          });
        });
    });
  });

  if (opts.timeoutMs !== undefined && pid > 0) {
    deadline = after(opts.timeoutMs, () => {
      if (closed || leaderExited || terminating) return;
      timedOut = true;
      terminate();
    });
  }

  return {
    pid,
    token,
    ...(identity === undefined ? {} : { identity }),
    exited,
    stop(reason: string): Promise<ProcessExit> {
      if (!closed && !leaderExited && !terminating) stoppedReason = reason;
      terminate();
      return exited;
    },
  };
}

/** Runs `fn` after `ms`, chaining timers past setTimeout's 2^31-1 ms limit (longer delays would fire at once). */
function after(ms: number, fn: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number): void => {
    timer = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(Math.max(0, ms));
  return { cancel: () => clearTimeout(timer) };
}

function failedProcess(output: OutputSink, error: string, token: string): TrialProcess {
  output.note(`[hpo] ${error}\n`);
  const exited = output
    .close()
    .then((sink): ProcessExit => ({ exitCode: null, signal: null, timedOut: false, error, ...sink }));
  return { pid: 0, token, exited, stop: () => exited };
}

/** The log file, the per-stream line splitters and the bounded tail of one trial process. */
class OutputSink {
  readonly #log: ReturnType<typeof createWriteStream>;
  readonly #logClosed: Promise<void>;
  readonly #splitters: Record<'stdout' | 'stderr', LineSplitter>;
  #tail: Buffer = Buffer.alloc(0);
  #logFailed = false;
  #outputError: string | undefined;
  /** Set while the child's pipes are paused for back-pressure; resumes them. */
  #resumePaused: (() => void) | undefined;

  constructor(
    logPath: string,
    onLine: StartTrialProcessOptions['onLine'],
    onOverlong: StartTrialProcessOptions['onOverlongLine'],
  ) {
    try {
      mkdirSync(dirname(logPath), { recursive: true });
    } catch {
      // Opening the stream below fails too and reports the reason.
    }
    this.#log = createWriteStream(logPath, { flags: 'w' });
    this.#logClosed = new Promise((resolveClosed) => this.#log.once('close', () => resolveClosed()));
    this.#log.on('error', (err) => {
      this.#logFailed = true;
      this.#outputError ??= `cannot write trial log ${logPath}: ${err.message}`;
      // A failed stream never drains: release pipes paused for back-pressure, or the trial would hang.
      this.#resumePaused?.();
    });
    const deliver = (stream: 'stdout' | 'stderr') => (line: string) => {
      if (onLine === undefined) return;
      try {
        onLine(line, stream);
      } catch (err) {
        this.#outputError ??= `onLine callback failed: ${(err as Error).message}`;
      }
    };
    const overlong = (stream: 'stdout' | 'stderr') => (line: OverlongLine) => onOverlong?.(line, stream);
    this.#splitters = {
      stdout: new LineSplitter(deliver('stdout'), { onOverlong: overlong('stdout') }),
      stderr: new LineSplitter(deliver('stderr'), { onOverlong: overlong('stderr') }),
    };
  }

  /** One chunk of program output: to the log (pausing the child's pipes while the disk catches up), tail and lines. */
  write(chunk: Buffer, stream: 'stdout' | 'stderr', child: ChildProcess): void {
    if (!this.#logFailed && !this.#log.write(chunk) && this.#resumePaused === undefined) {
      child.stdout?.pause();
      child.stderr?.pause();
      const resume = (): void => {
        if (this.#resumePaused !== resume) return;
        this.#resumePaused = undefined;
        child.stdout?.resume();
        child.stderr?.resume();
      };
      this.#resumePaused = resume;
      this.#log.once('drain', resume);
    }
    this.#appendTail(chunk);
    this.#splitters[stream].push(chunk);
  }

  /** A message of ours for the log (not the tail, not the lines). */
  note(text: string): void {
    if (!this.#logFailed) this.#log.write(text);
  }

  /** Flushes partial lines, closes the log and returns the tail and any output error. */
  async close(): Promise<{ tail: string; outputError?: string }> {
    this.#splitters.stdout.end();
    this.#splitters.stderr.end();
    this.#log.end();
    await this.#logClosed;
    const tail = decodeTail(this.#tail);
    return this.#outputError === undefined ? { tail } : { tail, outputError: this.#outputError };
  }

  #appendTail(chunk: Buffer): void {
    // Copy rather than subarray so the tail never pins a large chunk in memory.
    if (chunk.length >= TAIL_BYTES) this.#tail = Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
    else {
      const joined = Buffer.concat([this.#tail, chunk]);
      this.#tail = joined.length > TAIL_BYTES ? Buffer.from(joined.subarray(joined.length - TAIL_BYTES)) : joined;
    }
  }
}

/** Decodes the tail, dropping UTF-8 continuation bytes at its start (the cut may fall inside a character). */
function decodeTail(bytes: Buffer): string {
  let start = 0;
  while (start < bytes.length && start < 4 && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}

/**
 * Splits a byte stream into lines like Katib's StdOut collector: on `\n`, with a trailing `\r` removed and
 * UTF-8 characters decoded across chunk boundaries. A line longer than `maxLength` is not delivered at all
 * (memory stays bounded, and a metric cut in half would be a wrong value); `onOverlong` hears of it instead,
 * with its size and offset in bytes, so the trial can say why its metrics are missing.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #onLine: (line: string) => void;
  readonly #onOverlong: ((line: OverlongLine) => void) | undefined;
  readonly #maxLength: number;
  #partial = '';
  #overflowed = false;
  /** Bytes of the stream before the current chunk, and the byte offset where the current line began. */
  #streamBytes = 0;
  #lineStart = 0;

  constructor(
    onLine: (line: string) => void,
    options: { readonly maxLength?: number; readonly onOverlong?: (line: OverlongLine) => void } = {},
  ) {
    this.#onLine = onLine;
    this.#onOverlong = options.onOverlong;
    this.#maxLength = options.maxLength ?? MAX_LINE_LENGTH;
  }

  /** Feeds one chunk; complete lines are delivered synchronously. */
  push(chunk: Buffer): void {
    const text = this.#decoder.write(chunk);
    let start = 0;
    // The decoder never holds back a '\n' (it is never part of a multi-byte character), so the k-th newline
    // of `text` is the k-th 0x0A byte of `chunk`: that gives each line's byte extent without re-encoding.
    let byteFrom = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const nlByte = chunk.indexOf(10, byteFrom);
      byteFrom = nlByte + 1;
      this.#append(text.slice(start, nl));
      this.#emit(this.#streamBytes + nlByte);
      start = nl + 1;
    }
    this.#append(text.slice(start));
    this.#streamBytes += chunk.length;
  }

  /** Ends the stream: a last line without a newline is still delivered. */
  end(): void {
    this.#append(this.#decoder.end());
    if (this.#partial !== '' || this.#overflowed) this.#emit(this.#streamBytes);
  }

  #append(text: string): void {
    if (this.#overflowed || text === '') return;
    if (text.length <= this.#maxLength - this.#partial.length) {
      this.#partial += text;
      return;
    }
    this.#partial = '';
    this.#overflowed = true;
  }

  /** Ends the current line, whose content ends just before byte `endByte` of the stream. */
  #emit(endByte: number): void {
    const offset = this.#lineStart;
    this.#lineStart = endByte + 1;
    if (this.#overflowed) {
      this.#overflowed = false;
      this.#onOverlong?.({ bytes: endByte - offset, offset });
      return;
    }
    const line = this.#partial.endsWith('\r') ? this.#partial.slice(0, -1) : this.#partial;
    this.#partial = '';
    this.#onLine(line);
  }
}
