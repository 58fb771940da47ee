/**
 * Kubernetes name and quantity rules the API server and the training webhooks apply, plus GPU/MIG resource names
 * (kubeflow REFERENCE §1a "DNS-1035 names", §6 GPU scheduling).
 */

const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// The quantity grammar as the CRDs spell it for int-or-string resource values.
const quantity =
  /^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/;
const migProfile = /^\d+g\.\d+gb$/;

/** True when a string holds a Katib placeholder (`${trialParameters.lr}`, `${trialSpec.Name}`), filled in later. */
export function hasPlaceholder(s: string): boolean {
  return /\$\{[^}]+\}/.test(s);
}

/** Why `name` is not a DNS-1035 label (what the training webhooks and TrainJob's CEL rule demand), or undefined. */
export function dns1035Problem(name: string): string | undefined {
  if (name.length > 63) return `must be no more than 63 characters (it has ${name.length})`;
  if (!dns1035.test(name)) {
    return 'must be a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit';
  }
  return undefined;
}

/** Why `name` is not a DNS-1123 label (namespaces, container names), or undefined. */
export function dns1123Problem(name: string): string | undefined {
  if (name.length > 63) return `must be no more than 63 characters (it has ${name.length})`;
  if (!dns1123.test(name)) {
    return 'must be a DNS-1123 label: lower-case letters, digits and "-", starting and ending with a letter or digit';
  }
  return undefined;
}

/** True for a valid resource name such as `cpu` or `nvidia.com/mig-1g.10gb`. */
export function isResourceName(name: string): boolean {
  const slash = name.indexOf('/');
  const prefix = slash < 0 ? undefined : name.slice(0, slash);
  const rest = slash < 0 ? name : name.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !subdomain.test(prefix))) return false;
  return rest.length <= 63 && qualifiedName.test(rest);
}

/** True for a Kubernetes quantity (`500m`, `2Gi`, `1.5`), given as YAML does: a string or a number. */
export function isQuantity(q: unknown): boolean {
  if (typeof q === 'number') return Number.isFinite(q);
  return typeof q === 'string' && quantity.test(q);
}

/**
 * The resource name for a GPU request: `nvidia.com/gpu` by default, a MIG profile (`1g.10gb` or `mig-1g.10gb`)
 * expanded to the mixed-strategy name `nvidia.com/mig-1g.10gb`, anything with a `/` used as written.
 */
export function gpuResourceName(resource: string | undefined): string {
  if (resource === undefined || resource === '') return 'nvidia.com/gpu';
  if (resource.includes('/')) return resource;
  if (migProfile.test(resource)) return `nvidia.com/mig-${resource}`;
  if (resource.startsWith('mig-')) return `nvidia.com/${resource}`;
  return resource;
}

/** True for a MIG resource name (`nvidia.com/mig-<g>g.<mem>gb`), which Trainer's GPU auto-detection misses. */
export function isMigResource(name: string): boolean {
  return /\/mig-\d+g\.\d+gb$/.test(name);
}

/**
 * True for an accelerator resource: anything naming a GPU (`nvidia.com/gpu`, `amd.com/gpu`, `nvidia.com/gpu.shared`)
 * or a MIG slice. Only one such resource type may sit on a container.
 */
export function isGpuResource(name: string): boolean {
  return name.includes('/') && (/gpu/i.test(name) || isMigResource(name));
}
