/**
 * GPUs for locally run replicas: what a container requests (`nvidia.com/gpu` or a MIG profile such as
 * `nvidia.com/mig-1g.10gb`, kubeflow REFERENCE §6), what this machine has (`nvidia-smi -L`), and an allocator
 * that hands out disjoint devices. Like the Kubernetes scheduler, a trial waits for free devices instead of
 * sharing one.
 */
import { execFileSync } from 'node:child_process';
import type { GpuRequest } from '../jobs/pod.ts';

/** A request for `count` devices of one resource (one entry per replica and resource name); the jobs' type. */
export type { GpuRequest };

/** Whole-GPU resource name of the NVIDIA device plugin. */
export const wholeGpuResource = 'nvidia.com/gpu';
const migPrefix = 'nvidia.com/mig-';

/** One allocatable device: a whole GPU or a MIG slice. */
export interface GpuDevice {
  /** What goes into `CUDA_VISIBLE_DEVICES`: the GPU index, or the MIG device's UUID. */
  readonly id: string;
  /** The Kubernetes resource this device satisfies: `nvidia.com/gpu` or `nvidia.com/mig-<profile>`. */
  readonly resource: string;
  /** The line `nvidia-smi -L` printed for it, for messages. */
  readonly description: string;
}

/**
 * Parses `nvidia-smi -L`. A GPU with MIG slices listed under it is offered only as those slices (a GPU in MIG
 * mode cannot be used whole); other GPUs are offered by index.
 */
export function parseNvidiaSmiList(text: string): GpuDevice[] {
  const gpus: { index: string; line: string; migs: GpuDevice[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const gpu = /^GPU (\d+):/.exec(line);
    if (gpu) {
      gpus.push({ index: gpu[1]!, line, migs: [] });
      continue;
    }
    const mig = /^MIG (\S+)\s+Device\s+\d+:\s*\(UUID:\s*(MIG-[^)\s]+)\)/.exec(line);
    if (mig && gpus.length > 0) {
      gpus[gpus.length - 1]!.migs.push({ id: mig[2]!, resource: `${migPrefix}${mig[1]}`, description: line });
    }
  }
  return gpus.flatMap((g) =>
    g.migs.length > 0 ? g.migs : [{ id: g.index, resource: wholeGpuResource, description: g.line }],
  );
}

/** The GPUs of this machine, or undefined when `nvidia-smi` is not installed or fails. */
export function detectGpus(): GpuDevice[] | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], {
      encoding: 'utf8',
      timeout: 15_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return parseNvidiaSmiList(out);
  } catch {
    return undefined;
  }
}

/**
 * The GPU requests of one container's `resources` (a TrainJob trainer's `resourcesPerNode`): `limits` win over
 * `requests` (for extended resources Kubernetes requires them equal, and defaults requests to limits).
 * Non-integer or non-positive counts are skipped.
 */
export function containerGpuRequests(container: Readonly<Record<string, unknown>>): GpuRequest[] {
  const resources = (container.resources ?? container.resourcesPerNode) as
    | { limits?: unknown; requests?: unknown }
    | undefined;
  const merged: Record<string, unknown> = {};
  for (const part of [resources?.requests, resources?.limits]) {
    if (typeof part === 'object' && part !== null) Object.assign(merged, part);
  }
  const out: GpuRequest[] = [];
  for (const [resource, quantity] of Object.entries(merged)) {
    if (resource !== wholeGpuResource && !resource.startsWith(migPrefix)) continue;
    const count = Number(quantity);
    if (Number.isInteger(count) && count > 0) out.push({ resource, count });
  }
  return out;
}

interface Waiter {
  readonly requests: readonly GpuRequest[];
  readonly grant: (ids: string[][]) => void;
}

/** Devices handed out by {@link GpuAllocator.acquire}; `release` returns them (idempotent). */
export interface GpuLease {
  /** Device ids per request, in the order of the requests. */
  readonly devices: readonly (readonly string[])[];
  release(): void;
}

/**
 * Hands out disjoint devices to trials of this process. Requests are granted whole (all replicas of a trial at
 * once, so two trials never deadlock holding half each) and first come, first served, so a large request is not
 * starved by a stream of small ones.
 */
export class GpuAllocator {
  readonly devices: readonly GpuDevice[];
  private readonly free: Set<string>;
  private readonly queue: Waiter[] = [];

  constructor(devices: readonly GpuDevice[]) {
    this.devices = devices;
    this.free = new Set(devices.map((d) => d.id));
  }

  /** How many devices of `resource` this machine has in total. */
  capacity(resource: string): number {
    return this.devices.filter((d) => d.resource === resource).length;
  }

  /** How many devices of `resource` are free now. */
  available(resource: string): number {
    return this.devices.filter((d) => d.resource === resource && this.free.has(d.id)).length;
  }

  /**
   * Resolves once every request can be met; rejects with the signal's reason when aborted while waiting.
   * Callers check {@link capacity} first: a request larger than the machine would wait forever.
   */
  acquire(requests: readonly GpuRequest[], signal?: AbortSignal): Promise<GpuLease> {
    return new Promise<GpuLease>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(signal?.reason);
        // A waiter that leaves may unblock the ones behind it.
        this.grantWaiting();
      };
      const waiter: Waiter = {
        requests,
        grant: (ids) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.lease(ids));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.grantWaiting();
    });
  }

  private lease(ids: string[][]): GpuLease {
    let released = false;
    return {
      devices: ids,
      release: () => {
        if (released) return;
        released = true;
        for (const id of ids.flat()) this.free.add(id);
        this.grantWaiting();
      },
    };
  }

  private grantWaiting(): void {
    while (this.queue.length > 0) {
      const ids = this.take(this.queue[0]!.requests);
      if (ids === undefined) return;
      this.queue.shift()!.grant(ids);
    }
  }

  /** Takes devices for all requests, or nothing when any cannot be met now. */
  private take(requests: readonly GpuRequest[]): string[][] | undefined {
    const needed = new Map<string, number>();
    for (const r of requests) needed.set(r.resource, (needed.get(r.resource) ?? 0) + r.count);
    for (const [resource, n] of needed) if (this.available(resource) < n) return undefined;
    return requests.map((r) => {
      const ids = this.devices
        .filter((d) => d.resource === r.resource && this.free.has(d.id))
        .slice(0, r.count)
        .map((d) => d.id);
      for (const id of ids) this.free.delete(id);
      return ids;
    });
  }
}

let shared: { allocator: GpuAllocator | undefined } | undefined;

/**
 * The allocator shared by every trial of this process, over the GPUs `nvidia-smi -L` lists (detected once);
 * undefined when `nvidia-smi` is not available.
 */
export function sharedGpuAllocator(): GpuAllocator | undefined {
  if (shared === undefined) {
    const devices = detectGpus();
    shared = { allocator: devices === undefined ? undefined : new GpuAllocator(devices) };
  }
  return shared.allocator;
}
