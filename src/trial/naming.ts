/** Katib-style trial names: `<experiment>-<8 lowercase letters/digits>`, derived from the seed and creation order so a rerun names trials the same way. */
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The name of the `seq`-th trial of an experiment. Collisions are resolved by the caller with `attempt`. */
export function trialName(experiment: string, seed: number, seq: number, attempt = 0): string {
  let h = mix(seed ^ 0x9e3779b9);
  for (let i = 0; i < experiment.length; i++) h = mix(h ^ experiment.charCodeAt(i));
  h = mix(h ^ seq);
  h = mix(h ^ (attempt * 0x85ebca6b));
  let out = '';
  let x = h;
  let y = mix(h ^ 0xdeadbeef);
  for (let i = 0; i < 8; i++) {
    const src = i < 4 ? x : y;
    out += alphabet[src % alphabet.length];
    if (i < 4) x = Math.floor(x / alphabet.length);
    else y = Math.floor(y / alphabet.length);
  }
  return `${experiment}-${out}`;
}

/** A Kubernetes DNS-1123 label: what a trial's name becomes (its job's name and label values, its folder's name). */
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `name`, proposed by an algorithm for a trial, cannot be one (undefined when it can): it must be a DNS-1123
 * label of at most 63 characters, since it names the trial's Kubernetes job and its folder on disk (a name such as
 * `../x` would otherwise reach outside the experiment's folder).
 */
export function invalidTrialName(name: unknown): string | undefined {
  if (typeof name !== 'string') return `a trial name must be a string, got ${typeof name}`;
  if (name.length > 63) return `trial name ${JSON.stringify(name.slice(0, 70))}… is longer than 63 characters`;
  if (!dnsLabel.test(name)) {
    return `trial name ${JSON.stringify(name)} is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)`;
  }
  return undefined;
}
