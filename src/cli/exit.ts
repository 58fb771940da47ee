/**
 * How the `hpo` process ends. Node writes to a pipe asynchronously: `process.exit()` right after a large write
 * drops whatever the pipe has not taken yet (everything past the 64 KiB pipe buffer), so the CLI waits until
 * stdout and stderr are drained before it exits. A reader that closes the pipe early (`hpo list | head -1`)
 * makes the next write fail with EPIPE; that ends the CLI quietly, as the reader asked for no more: with status 0,
 * or the command's own status when it already has one.
 */

/** Resolves once everything written to `stream` so far has been handed to the OS (or the stream failed). */
export function drained(
  stream: NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean },
): Promise<void> {
  if (stream.destroyed === true || stream.writableLength === 0) return Promise.resolve();
  // Writes complete in order, so the callback of an empty write runs after every earlier write has.
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

function isBrokenPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * Makes a closed stdout (or stderr) end the process quietly (see above) instead of an unhandled 'error' event
 * and its stack trace. Any other stream error keeps Node's default behaviour. Called once by the entry.
 */
export function exitQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: unknown) => {
      // The command's own status once it has one (a failed `run`), else 0: a closed pipe is not a failure.
      if (isBrokenPipe(e)) process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
}

/** Ends the process with `code` once stdout and stderr are drained; the only `process.exit` of a normal run. */
export async function exitWhenDrained(code: number): Promise<never> {
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Exiting explicitly (rather than letting the event loop empty) also ends a run whose worker threads or
  // sockets are still winding down; the output is complete by now.
  process.exit(code);
}
