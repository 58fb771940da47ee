/**
 * Turns the GPU requests of a trial's replicas into `CUDA_VISIBLE_DEVICES` slices: all replicas' devices are
 * taken from the shared allocator at once (waiting while other trials hold them), and replicas that request
 * none see none, as a pod without a GPU request does.
 */
import { containerGpuRequests, type GpuAllocator, type GpuLease, type GpuRequest, wholeGpuResource } from './gpu.ts';
import type { ReplicaPlan } from './plan.ts';

/** The GPU side of one trial run. */
export type GpuAssignment =
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'stopped' }
  | {
      readonly kind: 'ready';
      /** Variables for a replica process (empty when GPUs are not managed here). */
      readonly envOf: (replica: ReplicaPlan) => Record<string, string>;
      readonly release: () => void;
    };

/** Options of {@link assignGpus}. */
export interface AssignGpusOptions {
  /** undefined: this machine has no `nvidia-smi`. */
  readonly allocator: GpuAllocator | undefined;
  /** `HPO_IGNORE_GPU_REQUESTS=1`: run without GPUs and leave `CUDA_VISIBLE_DEVICES` alone. */
  readonly ignoreRequests: boolean;
  readonly signal: AbortSignal;
  /** The inherited environment, to keep a `CUDA_DEVICE_ORDER` the user chose. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * GPU requests of each process. An MPIJob launcher process holds its workers' devices too: their ranks run
 * under it, and each rank picks its device by local rank from the launcher's `CUDA_VISIBLE_DEVICES`.
 */
function requestsOf(processes: readonly ReplicaPlan[], all: readonly ReplicaPlan[]): GpuRequest[][] {
  const hidden = all.filter((r) => !r.runsProcess);
  return processes.map((p) => [
    ...containerGpuRequests(p.container),
    ...(p.role === 'Launcher' ? hidden.flatMap((w) => containerGpuRequests(w.container)) : []),
  ]);
}

/** Decides and, when needed, waits for the devices of a trial's replicas. */
export async function assignGpus(replicas: readonly ReplicaPlan[], o: AssignGpusOptions): Promise<GpuAssignment> {
  const processes = replicas.filter((r) => r.runsProcess);
  const perProcess = requestsOf(processes, replicas);
  const flat = perProcess.flat();
  const total = flat.reduce((a, r) => a + r.count, 0);
  const none: GpuAssignment = { kind: 'ready', envOf: () => ({}), release: () => {} };
  if (o.ignoreRequests) return none;
  const allocator = o.allocator;
  if (total > 0 && allocator === undefined) {
    return {
      kind: 'failed',
      message: `the trial requests ${plural(total, 'GPU')} but this machine has none (nvidia-smi not found); set HPO_IGNORE_GPU_REQUESTS=1 to run it without GPUs`,
    };
  }
  if (allocator === undefined || allocator.devices.length === 0) {
    if (total === 0) return none;
    return {
      kind: 'failed',
      message: `the trial requests ${plural(total, 'GPU')} but this machine has none (nvidia-smi -L lists no GPUs); set HPO_IGNORE_GPU_REQUESTS=1 to run it without GPUs`,
    };
  }
  const needed = new Map<string, number>();
  for (const r of flat) needed.set(r.resource, (needed.get(r.resource) ?? 0) + r.count);
  for (const [resource, n] of needed) {
    const capacity = allocator.capacity(resource);
    if (n > capacity) {
      return {
        kind: 'failed',
        message: `the trial requests ${n} ${resource} but this machine has ${capacity} (${allocator.devices.map((d) => d.resource).join(', ')}); lower the replicas' resources or run fewer replicas`,
      };
    }
  }
  let lease: GpuLease | undefined;
  if (flat.length > 0) {
    try {
      lease = await allocator.acquire(flat, o.signal);
    } catch {
      return { kind: 'stopped' };
    }
  }
  // Slices per process, in the order of the flat request list.
  const slices = new Map<ReplicaPlan, string[]>();
  let k = 0;
  processes.forEach((p, i) => {
    const ids: string[] = [];
    for (const _ of perProcess[i]!) ids.push(...(lease?.devices[k++] ?? []));
    slices.set(p, ids);
  });
  const usesIndices = flat.some((r) => r.resource === wholeGpuResource);
  return {
    kind: 'ready',
    envOf: (replica) => {
      const env: Record<string, string> = { CUDA_VISIBLE_DEVICES: (slices.get(replica) ?? []).join(',') };
      // nvidia-smi numbers GPUs in PCI order, CUDA by default fastest first; make the indices mean the same GPUs.
      if (usesIndices && o.baseEnv.CUDA_DEVICE_ORDER === undefined) env.CUDA_DEVICE_ORDER = 'PCI_BUS_ID';
      return env;
    },
    release: () => lease?.release(),
  };
}
