/**
 * Prepares every process of a planned distributed trial: free ports, the MPI hostfile, each replica's operator
 * variables and GPU slice, and the launcher's local `mpirun` command line. Nothing is started here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import { distributedEnv } from './distributedEnv.ts';
import {
  hostfileText,
  isMpiLauncher,
  localMpirunArgv,
  type MpiLaunchOptions,
  mpiSlots,
  mpiWrapperEnv,
  synthesizedMpirunArgv,
} from './mpi.ts';
import type { ReplicaPlan, TrialPlan } from './plan.ts';
import { freePorts } from './ports.ts';
import { type ReplicaLaunch, replicaLaunch, type TrialLaunchContext } from './replicaLaunch.ts';
import type { DistributedTopology } from './topology.ts';

/** Options of {@link launchReplicas}. */
export interface LaunchOptions {
  readonly trial: TrialLaunchContext;
  readonly host: string;
  /** `CUDA_VISIBLE_DEVICES` (and friends) per replica process. */
  readonly gpuEnv: (replica: ReplicaPlan) => Record<string, string>;
  /** Running as root: Open MPI needs `--allow-run-as-root`. */
  readonly root: boolean;
  readonly cores: number;
}

/** The processes of a trial, ready to start, and warnings to record once. */
export interface LaunchedTrial {
  readonly replicas: readonly { readonly plan: ReplicaPlan; readonly launch: ReplicaLaunch }[];
  readonly topology: DistributedTopology;
  readonly warnings: readonly string[];
}

function hasCommand(container: Readonly<Record<string, unknown>>): boolean {
  return (Array.isArray(container.command) ? container.command.length : 0) > 0;
}

/** Builds the launches; throws `invalidSpec` for a replica that has nothing to run. */
export async function launchReplicas(plan: TrialPlan, o: LaunchOptions): Promise<LaunchedTrial> {
  const { ctx } = o.trial;
  const { kind, mpi: mpiShape, ...settings } = plan.shape;
  const processes = plan.replicas.filter((r) => r.runsProcess);
  const warnings: string[] = [];
  const ports: Record<string, number[]> = {};
  if (kind !== 'MPIJob') {
    const free = await freePorts(processes.length, o.host);
    processes.forEach((r, i) => {
      const list = ports[r.role] ?? [];
      list[r.index] = free[i]!;
      ports[r.role] = list;
    });
  }
  let mpiLaunch: MpiLaunchOptions | undefined;
  let topology: DistributedTopology = { ...settings, jobName: ctx.trial, host: o.host, ports };
  if (mpiShape !== undefined) {
    const slots = mpiSlots(settings.replicas.Worker ?? 0, mpiShape.slotsPerWorker, mpiShape.launcherAsWorker);
    const hostfile = join(ctx.workDir, '.hpo-mpi', 'hostfile');
    mkdirSync(join(ctx.workDir, '.hpo-mpi'), { recursive: true });
    writeFileSync(hostfile, hostfileText(slots));
    mpiLaunch = { hostfile, slots, root: o.root, cores: o.cores };
    topology = { ...topology, mpi: { ...mpiShape, hostfile } };
    if (mpiShape.implementation !== 'OpenMPI') {
      warnings.push(
        `spec.mpiImplementation ${mpiShape.implementation}: locally the launcher runs Open MPI's mpirun with an Open MPI hostfile`,
      );
    }
  }
  const replicas = processes.map((r) => {
    const injected = distributedEnv(kind, r.role, r.index, topology);
    if (kind === 'TFJob' && r.container.name !== 'tensorflow' && injected.TF_CONFIG !== undefined) {
      // The training operator sets TF_CONFIG only in the container named `tensorflow`.
      delete injected.TF_CONFIG;
      warnings.push(
        `TFJob replica ${r.role}: container '${String(r.container.name)}' gets no TF_CONFIG (the training operator sets it only in a container named 'tensorflow')`,
      );
    }
    let commandFrom = r.container;
    let synthesized = false;
    if (mpiLaunch !== undefined && r.role === 'Launcher') {
      const worker = plan.replicas.find((w) => w.role === 'Worker');
      const command = Array.isArray(r.container.command) ? String(r.container.command[0]) : undefined;
      if (!hasCommand(r.container) && worker !== undefined && hasCommand(worker.container)) {
        commandFrom = worker.container;
        synthesized = true;
      } else if (hasCommand(r.container) && !isMpiLauncher(command)) {
        Object.assign(injected, mpiWrapperEnv(mpiLaunch));
      }
    }
    const launch = replicaLaunch(r, o.trial, { ...injected, ...o.gpuEnv(r) }, commandFrom);
    if (launch.argv.length === 0) {
      throw new WorkbenchError(
        ErrorCode.invalidSpec,
        `container '${String(r.container.name)}' of replica ${r.role} has no command: locally the image's entrypoint is unknown; set command in the trial template`,
      );
    }
    if (mpiLaunch !== undefined && r.role === 'Launcher') {
      if (synthesized) return { plan: r, launch: { ...launch, argv: synthesizedMpirunArgv(launch.argv, mpiLaunch) } };
      if (isMpiLauncher(launch.argv[0])) {
        return { plan: r, launch: { ...launch, argv: localMpirunArgv(launch.argv, mpiLaunch) } };
      }
    }
    return { plan: r, launch };
  });
  for (const r of replicas) warnings.push(...r.launch.warnings);
  return { replicas, topology, warnings: [...new Set(warnings)] };
}
