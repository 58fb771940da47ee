/**
 * The artifact inventory of a trial on the Kubernetes backend: a native sidecar (`hpo-artifacts`, an init container
 * with `restartPolicy: Always`) mounts the trial's artifacts folder read-only and waits; when the training container
 * has exited the kubelet sends it SIGTERM, and it prints one `hpo-artifacts/v1` record per file (sha256, size, name),
 * the trial's manifest, and an end record. The backend follows its log as it follows the metrics sidecar's, and
 * {@link ArtifactInventory} turns the records into the trial's artifact record, each file with its URI. The digest is
 * of the bytes in the pod's folder when the trial ended: for a claim those are the stored bytes; for an object store,
 * what the trial uploaded is not read back (see the README's "what is proven").
 */

import {
  type ArtifactRecord,
  artifactKind,
  artifactManifestName,
  artifactScanLimits,
  parseArtifactManifest,
} from '../../trial/artifacts.ts';
import type { ExecutorResult, TrialContext } from '../../trial/executor.ts';
import { defaultMetricsSidecarImage, sidecarSecurity } from './metricsSidecar.ts';

/** The sidecar container's name; the backend follows its log in the primary pods. */
export const artifactInventoryName = 'hpo-artifacts';
/** The first word of every record the sidecar prints. */
export const inventoryRecordTag = 'hpo-artifacts/v1';

const { maxFiles, maxDepth } = artifactScanLimits;

/**
 * What the sidecar runs (`sh -c SCRIPT hpo-artifacts DIR`): nothing until TERM, then the inventory. Links are named,
 * never followed (a trial could point one anywhere); names travel base64-encoded, so any byte but a newline is safe
 * (a name with a newline is not recorded, and no piece of it can name a file outside the folder);
 * the manifest goes whole (up to 64 KiB). `find` lists files up to the local scan's depth; the count in the end
 * record lets the receiver say when files were left out.
 */
export const artifactInventoryScript: string = `set -u
dir=\${1%/}
report() {
  if [ -f "$dir/${artifactManifestName}" ]; then
    printf '${inventoryRecordTag} manifest %s\\n' "$(head -c 65536 "$dir/${artifactManifestName}" | base64 | tr -d '\\n')"
  fi
  total=$(find "$dir" -mindepth 1 -maxdepth ${maxDepth + 1} ! -type d 2>/dev/null | wc -l)
  if [ -f "$dir/${artifactManifestName}" ]; then total=$((total - 1)); fi
  find "$dir" -mindepth 1 -maxdepth ${maxDepth + 1} ! -type d 2>/dev/null | sort | head -n ${maxFiles + 1} | while IFS= read -r f; do
    # A name holding a newline arrives as several lines: a piece outside the folder is no file of it.
    case "$f" in "$dir"/*) ;; *) continue ;; esac
    rel=\${f#"$dir"/}
    [ "$rel" = ${artifactManifestName} ] && continue
    name=$(printf '%s' "$rel" | base64 | tr -d '\\n')
    if [ -L "$f" ]; then
      printf '${inventoryRecordTag} link %s\\n' "$name"
    elif [ -f "$f" ]; then
      size=$(($(wc -c < "$f")))
      sum=$(sha256sum < "$f" | cut -c1-64)
      printf '${inventoryRecordTag} file %s %s %s\\n' "$sum" "$size" "$name"
    fi
  done
  printf '${inventoryRecordTag} end %s\\n' "$((total))"
}
trap 'report; exit 0' TERM INT
while :; do
  sleep 3600 </dev/null >/dev/null 2>&1 & wait $!
done
`;

/** The sidecar container for a pod whose primary container mounts the artifacts folder with `mount`. */
export function artifactInventoryContainer(o: {
  readonly mount: { readonly name: string; readonly mountPath: string; readonly subPath?: string };
  readonly image?: string;
  readonly pod?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    name: artifactInventoryName,
    image: o.image ?? defaultMetricsSidecarImage,
    restartPolicy: 'Always',
    command: ['sh', '-c', artifactInventoryScript, artifactInventoryName],
    args: [o.mount.mountPath],
    volumeMounts: [{ ...o.mount, readOnly: true }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    securityContext: sidecarSecurity(o.pod ?? {}),
  };
}

const fileRecord = /^file ([0-9a-f]{64}) (\d{1,15}) ([A-Za-z0-9+/]*={0,2})$/;

/** Collects the sidecar's records for one trial; `apply` each log line, then `result()` once the log ended. */
export class ArtifactInventory {
  private readonly files: { name: string; sha256: string; size: number }[] = [];
  private manifest: string | undefined;
  private total: number | undefined;
  private readonly problems: string[] = [];

  /** `uri`: the trial's folder URI (`trialArtifactsUri`); `dir`: where the folder is in the pod. */
  constructor(
    private readonly uri: string,
    private readonly dir: string,
  ) {}

  /** Handles one line of the sidecar's log; a line that is no record (a shell's complaint) becomes a problem. */
  apply(line: string): void {
    if (!line.startsWith(`${inventoryRecordTag} `)) {
      this.problem(`the artifact inventory sidecar printed: ${line.slice(0, 200)}`);
      return;
    }
    const body = line.slice(inventoryRecordTag.length + 1);
    const [what, ...rest] = body.split(' ');
    const file = fileRecord.exec(body);
    if (file !== null) {
      const name = decodeName(file[3]!);
      if (name === undefined) this.problem(`a file name outside the artifacts folder was ignored`);
      // The sidecar prints everything again if the kubelet signals it twice: one record per name.
      else if (!this.files.some((f) => f.name === name))
        this.files.push({ name, sha256: file[1]!, size: Number(file[2]) });
    } else if (what === 'manifest' && rest.length === 1) {
      this.manifest = Buffer.from(rest[0]!, 'base64').toString('utf8');
    } else if (what === 'link' && rest.length === 1) {
      this.problem(`${decodeName(rest[0]!) ?? '?'}: a symbolic link, not recorded (write the file itself)`);
    } else if (what === 'end' && rest.length === 1 && /^\d+$/.test(rest[0]!)) {
      this.total = Number(rest[0]);
    } else {
      this.problem(`the artifact inventory sidecar printed: ${line.slice(0, 200)}`);
    }
  }

  /**
   * The trial's artifacts, sorted by name, with their URIs and the problems worth a trial event. Without the end
   * record (the sidecar was killed before it finished, or its log was lost) nothing is recorded: a partial list would
   * look complete.
   */
  result(): { artifacts: ArtifactRecord[] | undefined; problems: string[] } {
    if (this.total === undefined) {
      return {
        artifacts: undefined,
        problems: [
          ...this.problems,
          `the artifact inventory did not finish (no end record in the ${artifactInventoryName} sidecar's log), so no artifacts are recorded; a pod deleted early or a termination grace period too short to hash the folder does this`,
        ],
      };
    }
    const problems = [...this.problems];
    const parsed = this.manifest === undefined ? undefined : parseArtifactManifest(this.manifest);
    problems.push(...(parsed?.problems ?? []));
    if (this.total > maxFiles) problems.push(`more than ${maxFiles} files; the rest are not recorded`);
    const artifacts = this.files
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .slice(0, maxFiles)
      .map((f) => ({
        name: f.name,
        path: `${this.dir}/${f.name}`,
        uri: `${this.uri}${f.name.split('/').map(encodeURIComponent).join('/')}`,
        kind: parsed?.kinds.get(f.name) ?? artifactKind(f.name),
        sha256: f.sha256,
        size: f.size,
      }));
    return { artifacts, problems };
  }

  private problem(message: string): void {
    // A broken sidecar could complain once per file: a few are enough to diagnose it.
    if (this.problems.length < 5) this.problems.push(message);
  }
}

/** A record's base64 name, or undefined for one that would leave the folder (`..`, absolute, empty). */
function decodeName(encoded: string): string | undefined {
  const name = Buffer.from(encoded, 'base64').toString('utf8');
  if (name === '' || name.startsWith('/') || name.includes('\0') || name.split('/').includes('..')) return undefined;
  return name;
}

/**
 * `result` with the trial's artifacts from the inventory sidecar's log (its problems as trial events); as it is
 * without artifact storage. A trial whose inventory did not finish gets none recorded, and says why.
 */
export function withArtifacts(
  result: ExecutorResult,
  inventory: ArtifactInventory | undefined,
  ctx: Pick<TrialContext, 'warn'>,
): ExecutorResult {
  if (inventory === undefined) return result;
  const { artifacts, problems } = inventory.result();
  for (const p of problems) ctx.warn(`artifacts: ${p}`);
  return artifacts === undefined ? result : { ...result, artifacts };
}
