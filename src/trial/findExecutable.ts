/**
 * Command lookup and spawn-failure diagnosis for the local-process executor. Only the error path
 * uses the PATH search here: the spawn itself lets the OS resolve the command (execvp semantics).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * The program to spawn for a trial's `argv[0]`. Returns `argv0` unchanged, except that `python`/`python3`
 * become `HPO_PYTHON` when that variable is set (in `env`, else in `process.env`): a machine whose
 * PATH-first python lacks the training packages can point trials at another interpreter without editing YAML.
 */
export function resolveCommand(argv0: string, env: Readonly<Record<string, string | undefined>>): string {
  if (argv0 !== 'python' && argv0 !== 'python3') return argv0;
  const override = env.HPO_PYTHON ?? process.env.HPO_PYTHON;
  return override !== undefined && override !== '' ? override : argv0;
}

/**
 * Where `command` would be found: a path containing `/` is taken relative to `cwd`, a bare name is searched
 * on `path` (a PATH value). Returns the absolute file, or undefined when there is no executable file.
 */
export function findExecutable(command: string, opts: { path: string; cwd: string }): string | undefined {
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : resolve(opts.cwd, command);
    return isExecutableFile(file) ? file : undefined;
  }
  for (const dir of opts.path.split(delimiter)) {
    // An empty PATH entry means the current directory, as execvp reads it.
    const file = resolve(opts.cwd, join(dir === '' ? '.' : dir, command));
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/** The user-facing explanation of a failed spawn: names the command and says what to change. */
export function explainSpawnError(
  err: NodeJS.ErrnoException,
  ctx: {
    argv0: string;
    command: string;
    cwd: string;
    path: string;
    /** The whole argument list and environment, to size an E2BIG. */
    argv?: readonly string[];
    env?: Readonly<Record<string, string>>;
  },
): string {
  const shown = ctx.command === ctx.argv0 ? `'${ctx.command}'` : `'${ctx.command}' (HPO_PYTHON, for '${ctx.argv0}')`;
  const where = "the primary container's command in spec.trialTemplate.trialSpec";
  if (err.code === 'ENOENT') {
    if (!isDirectory(ctx.cwd)) {
      return `cannot start ${shown}: working directory '${ctx.cwd}' does not exist`;
    }
    const found = findExecutable(ctx.command, { path: ctx.path, cwd: ctx.cwd });
    if (found !== undefined) {
      // The file is there, so ENOENT came from exec'ing its interpreter (the #! line).
      return `cannot start ${shown}: ${found} exists but its interpreter (the #! line) was not found; install it or fix the #! line`;
    }
    if (ctx.command.includes('/')) {
      return `command ${shown} not found (relative paths are resolved against the trial's working directory ${ctx.cwd}); fix ${where}`;
    }
    return `command ${shown} not found on PATH (${ctx.path}); install it or change ${where}`;
  }
  if (err.code === 'EACCES') {
    return `command ${shown} is not executable (permission denied); run chmod +x on it, or run it through its interpreter in ${where}`;
  }
  if (err.code === 'E2BIG') return tooBig(shown, ctx.argv ?? [], ctx.env ?? {});
  return `cannot start ${shown}: ${err.message}`;
}

/** Linux refuses a single argument or variable over 32 pages (MAX_ARG_STRLEN). */
const maxArgString = 128 * 1024;

const kib = (bytes: number): string => `${Math.ceil(bytes / 1024)} KiB`;

/**
 * E2BIG: exec refused the argument list and environment, either in total (ARG_MAX, about a quarter of the
 * stack limit) or because one string passed 128 KiB. Says which strings are large and how to pass them instead.
 */
function tooBig(shown: string, argv: readonly string[], env: Readonly<Record<string, string>>): string {
  const argBytes = argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0);
  const envEntries = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const envBytes = envEntries.reduce((n, e) => n + Buffer.byteLength(e) + 1, 0);
  const longest = [
    ...argv.map((a, i) => ({ what: `argument ${i}`, bytes: Buffer.byteLength(a) })),
    ...envEntries.map((e) => ({ what: `variable ${e.slice(0, e.indexOf('='))}`, bytes: Buffer.byteLength(e) })),
  ].sort((a, b) => b.bytes - a.bytes)[0];
  const single =
    longest !== undefined && longest.bytes > maxArgString
      ? `; ${longest.what} alone is ${kib(longest.bytes)}, over the 128 KiB a single string may have`
      : '';
  return (
    `cannot start ${shown}: the system refused its ${argv.length} arguments (${kib(argBytes)}) and ${envEntries.length} ` +
    `environment variables (${kib(envBytes)}) as too big (E2BIG)${single}. Pass fewer or shorter arguments ` +
    '(a search space this large is better run in-process with optimize(), where the parameters arrive as one object)'
  );
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
