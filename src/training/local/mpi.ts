/**
 * MPIJobs run locally through Open MPI's `mpirun` (Debian `openmpi-bin`). On a cluster the launcher's `mpirun`
 * starts the ranks on the worker pods (kubectl exec or SSH) from the operator's hostfile; here every rank starts
 * on this machine from a generated hostfile `localhost slots=N`, so the worker pods' own commands (sshd, or
 * the image's) are not run: the workers are the ranks `mpirun` forks.
 */
import { basename } from 'node:path';

/** Program names that are Open MPI's launcher. */
const launcherNames = new Set(['mpirun', 'mpiexec', 'orterun', 'mpirun.openmpi', 'mpiexec.openmpi']);

/** Options that name hosts; they point at pods, so they are dropped in favour of the local hostfile. */
const hostOptions = new Set([
  '-H',
  '-host',
  '--host',
  '-hostfile',
  '--hostfile',
  '-machinefile',
  '--machinefile',
  '-default-hostfile',
  '--default-hostfile',
]);
const npOptions = new Set(['-np', '--np', '-n', '--n', '-c']);
/** mpirun options that take one value (the rest are flags), to tell where the program starts. */
const oneValue = new Set([
  ...hostOptions,
  ...npOptions,
  '-x',
  '-bind-to',
  '--bind-to',
  '-map-by',
  '--map-by',
  '-rank-by',
  '--rank-by',
  '-wdir',
  '--wdir',
  '-wd',
  '-output-filename',
  '--output-filename',
  '-npernode',
  '--npernode',
  '-N',
  '-npersocket',
  '--npersocket',
  '-prefix',
  '--prefix',
  '-am',
  '--am',
  '-tune',
  '--tune',
  '-cpu-set',
  '--cpu-set',
  '-cpus-per-proc',
  '--cpus-per-proc',
  '-path',
  '--path',
]);
const twoValues = new Set(['-mca', '--mca', '-gmca', '--gmca']);

/** True when `argv0` is `mpirun`/`mpiexec`/`orterun` (any directory). */
export function isMpiLauncher(argv0: string | undefined): boolean {
  return argv0 !== undefined && launcherNames.has(basename(argv0));
}

/** Slots of the local hostfile: workers × slotsPerWorker, plus the launcher's when it runs as a worker too. */
export function mpiSlots(workers: number, slotsPerWorker: number, launcherAsWorker: boolean): number {
  return (workers + (launcherAsWorker ? 1 : 0)) * slotsPerWorker;
}

/** The hostfile text: every slot on this machine. */
export function hostfileText(slots: number): string {
  return `localhost slots=${slots}\n`;
}

/** Facts about the machine that decide the extra `mpirun` flags. */
export interface MpiLaunchOptions {
  readonly hostfile: string;
  /** Slots of the hostfile; also the rank count when the command gives none. */
  readonly slots: number;
  /** Open MPI refuses to run as root without `--allow-run-as-root`. */
  readonly root: boolean;
  /** CPU cores here; more ranks than cores gets `--oversubscribe`. */
  readonly cores: number;
}

/**
 * The launcher's `mpirun` command made local: host options removed, `--hostfile <generated>` added, `-np` added
 * when missing, plus `--allow-run-as-root` (as root) and `--oversubscribe` (more ranks than cores) unless given.
 * Everything from the program onwards is kept as written.
 */
export function localMpirunArgv(argv: readonly string[], o: MpiLaunchOptions): string[] {
  const [launcher, ...rest] = argv;
  const options: string[] = [];
  let np: number | undefined;
  let i = 0;
  while (i < rest.length) {
    const arg = rest[i]!;
    if (!arg.startsWith('-')) break; // the program
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const width = inline !== undefined ? 1 : twoValues.has(name) ? 3 : oneValue.has(name) ? 2 : 1;
    const group = rest.slice(i, i + width);
    i += width;
    if (npOptions.has(name)) np = Number(inline ?? group[1]);
    if (hostOptions.has(name)) continue;
    options.push(...group);
  }
  const ranks = np !== undefined && Number.isInteger(np) && np > 0 ? np : o.slots;
  const extra = ['--hostfile', o.hostfile];
  if (np === undefined) extra.push('-np', String(o.slots));
  const has = (flag: string): boolean => options.includes(`-${flag}`) || options.includes(`--${flag}`);
  if (o.root && !has('allow-run-as-root')) extra.push('--allow-run-as-root');
  if (ranks > o.cores && !has('oversubscribe')) extra.push('--oversubscribe');
  return [launcher ?? 'mpirun', ...extra, ...options, ...rest.slice(i)];
}

/** `mpirun` around the worker's command, for a launcher that has no command of its own. */
export function synthesizedMpirunArgv(workerArgv: readonly string[], o: MpiLaunchOptions): string[] {
  return localMpirunArgv(['mpirun', ...workerArgv], o);
}

/**
 * Variables for a launcher whose command is not `mpirun` itself (a shell or Python wrapper that calls it): the
 * same choices as {@link localMpirunArgv} through Open MPI's environment, since its arguments are out of reach.
 */
export function mpiWrapperEnv(o: MpiLaunchOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (o.root) {
    env.OMPI_ALLOW_RUN_AS_ROOT = '1';
    env.OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = '1';
  }
  if (o.slots > o.cores) env.OMPI_MCA_rmaps_base_oversubscribe = '1';
  return env;
}
