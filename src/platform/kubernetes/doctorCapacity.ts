/**
 * The capacity checks of `hpo doctor`: the PVC PBT's checkpoints live on (bound, with an access mode parallel
 * trials on different nodes can share), and GPUs: whether any node's allocatable `nvidia.com/gpu` (or MIG
 * slice, `nvidia.com/mig-<profile>`) covers what one trial pod requests.
 */
import { findContainers } from '../../spec/containers.ts';
import { apiFailure } from './apiError.ts';
import type { DoctorCheck, DoctorContext } from './doctor.ts';
import { checkpointClaim } from './trialJob.ts';

function brief(err: unknown): string {
  const f = apiFailure(err);
  return `${f.status ?? 'network error'}: ${f.message}`.slice(0, 300);
}

/** PBT on the Kubernetes backend mounts the claim `<experiment>-pbt` into every trial (trialJob.ts). */
export async function pvcCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  const m = ctx.manifest;
  if (m === undefined || m.spec.algorithm?.algorithmName !== 'pbt') {
    return { check: 'pvc', status: 'skip', message: 'the experiment does not use PBT: no checkpoint volume needed' };
  }
  if (ctx.purpose === 'submit') {
    // Katib creates and mounts its own suggestion volume; doctorKatibVolume.ts checks what that needs.
    return {
      check: 'pvc',
      status: 'skip',
      message: `the backend's claim ${checkpointClaim(m.metadata.name)} is not used under Katib`,
    };
  }
  const name = checkpointClaim(m.metadata.name);
  const parallel = (m.spec.parallelTrialCount ?? 3) > 1;
  const mode = parallel ? 'ReadWriteMany' : 'ReadWriteOnce';
  const create = `create a PersistentVolumeClaim ${name} in ${ctx.namespace} with accessModes [${mode}] from a StorageClass that provides it`;
  let pvc: { spec?: { accessModes?: string[] }; status?: { phase?: string; accessModes?: string[] } };
  try {
    pvc = await ctx.clients.core.readNamespacedPersistentVolumeClaim({ name, namespace: ctx.namespace });
  } catch (err) {
    if (apiFailure(err).status === 404) {
      return {
        check: 'pvc',
        status: 'fail',
        message: `PBT keeps checkpoints on the claim ${name}, which does not exist: every trial would stay Pending`,
        fix: create,
      };
    }
    return { check: 'pvc', status: 'skip', message: `cannot read the claim ${name} (${brief(err)})` };
  }
  const phase = pvc.status?.phase ?? 'Pending';
  if (phase !== 'Bound') {
    return {
      check: 'pvc',
      status: 'fail',
      message: `the claim ${name} is ${phase}, not Bound`,
      fix: `'kubectl describe pvc ${name} -n ${ctx.namespace}' names the cause (no default StorageClass, quota, no volume of that size); with volumeBindingMode WaitForFirstConsumer it binds when the first trial starts`,
    };
  }
  const modes = pvc.status?.accessModes ?? pvc.spec?.accessModes ?? [];
  // Parallel trials land on different nodes; ReadWriteOnce would let only one node mount the volume.
  const ok = modes.includes('ReadWriteMany') || (!parallel && modes.includes('ReadWriteOnce'));
  if (!ok) {
    return {
      check: 'pvc',
      status: 'fail',
      message: `the claim ${name} is ${modes.join(', ') || 'without access modes'}; ${parallel ? 'parallel trials on different nodes need ReadWriteMany' : 'a trial needs to write to it'}`,
      fix: `${create} (or set parallelTrialCount: 1)`,
    };
  }
  return { check: 'pvc', status: 'pass', message: `the claim ${name} is Bound with ${modes.join(', ')}` };
}

/** GPU-like extended resources one pod of the trial asks for, summed over its containers, the largest pod per name. */
export function gpuRequests(job: Record<string, unknown>): Map<string, number> {
  const perPod = new Map<string, Map<string, number>>();
  for (const found of findContainers(job)) {
    const pod = found.path.replace(/\.containers\[\d+\]$/, '');
    const res = found.container.resources as { limits?: Record<string, unknown>; requests?: Record<string, unknown> };
    const amounts = { ...(res?.requests ?? {}), ...(res?.limits ?? {}) };
    for (const [name, value] of Object.entries(amounts)) {
      if (!name.startsWith('nvidia.com/') && !name.startsWith('amd.com/')) continue;
      const m = perPod.get(pod) ?? new Map<string, number>();
      m.set(name, (m.get(name) ?? 0) + Number(value));
      perPod.set(pod, m);
    }
  }
  const out = new Map<string, number>();
  for (const m of perPod.values()) for (const [k, v] of m) out.set(k, Math.max(out.get(k) ?? 0, v));
  return out;
}

interface NodeView {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { allocatable?: Record<string, string> };
}

/** Whether some node's allocatable covers each GPU resource one trial pod requests. */
export async function gpuCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  const job = ctx.trialJob ?? ctx.manifest?.spec.trialTemplate?.trialSpec;
  const wanted = job === undefined ? new Map<string, number>() : gpuRequests(job as Record<string, unknown>);
  if (wanted.size === 0) return { check: 'gpu', status: 'skip', message: 'the trial requests no GPUs' };
  let nodes: NodeView[];
  try {
    nodes = (await ctx.clients.core.listNode()).items as NodeView[];
  } catch (err) {
    return {
      check: 'gpu',
      status: 'skip',
      message: `cannot list nodes to compare GPU capacity (${brief(err)}); ask an admin for 'kubectl describe nodes'`,
    };
  }
  const problems: string[] = [];
  const fixes: string[] = [];
  const found: string[] = [];
  for (const [resource, amount] of wanted) {
    const best = Math.max(0, ...nodes.map((n) => Number(n.status?.allocatable?.[resource] ?? 0)));
    if (best >= amount) {
      found.push(`${resource} ${amount} per pod (largest node: ${best})`);
      continue;
    }
    problems.push(`one pod requests ${amount} ${resource} but the largest node has ${best} allocatable`);
    const migNodes = nodes.filter((n) => n.metadata?.labels?.['nvidia.com/mig.strategy'] !== undefined);
    const slices = [
      ...new Set(
        nodes.flatMap((n) => Object.keys(n.status?.allocatable ?? {}).filter((k) => k.startsWith('nvidia.com/mig-'))),
      ),
    ];
    if (resource === 'nvidia.com/gpu' && slices.length > 0) {
      fixes.push(
        `the GPUs are partitioned with MIG (${migNodes.length} node(s) labelled nvidia.com/mig.strategy): request a slice instead, one of ${slices.join(', ')}`,
      );
    } else if (resource.startsWith('nvidia.com/mig-')) {
      fixes.push(
        slices.length > 0
          ? `no node offers ${amount} ${resource}; the MIG slices here are ${slices.join(', ')}`
          : `no node exposes MIG slices: enable MIG with the GPU operator (label nvidia.com/mig.config) or request nvidia.com/gpu`,
      );
    } else {
      fixes.push(`request at most ${best} ${resource} per pod (spread over more replicas), or add nodes with more`);
    }
  }
  if (problems.length > 0) return { check: 'gpu', status: 'fail', message: problems.join('; '), fix: fixes.join('; ') };
  return { check: 'gpu', status: 'pass', message: `a node can hold a trial pod: ${found.join(', ')}` };
}
