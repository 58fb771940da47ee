/**
 * A trial's artifacts: the files it left in its artifacts folder (`HPO_ARTIFACTS_DIR`), each with a kind (model,
 * metrics, checkpoint, plot, other) and a sha256 digest. The controller records them once the trial's program has
 * ended; the winner document and `hpo export --to kserve` read that record, never the folder again, so a file changed
 * later no longer matches its digest (which is the point of recording one).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, extname, join, relative, sep } from 'node:path';

/** What an artifact is for; the trial says so in its manifest, or the file's extension does (see {@link artifactKind}). */
export type ArtifactKind = 'model' | 'metrics' | 'checkpoint' | 'plot' | 'other';

/** The kinds a manifest may name. */
export const artifactKinds: readonly ArtifactKind[] = ['model', 'metrics', 'checkpoint', 'plot', 'other'];

/** The optional manifest a trial writes in its artifacts folder: `{ "<relative path>": "<kind>" }`. */
export const artifactManifestName = 'hpo-artifacts.json';

/** One recorded file. */
export interface ArtifactRecord {
  /** Relative to the artifacts folder, with `/` separators (`model.joblib`, `ckpt/epoch-3.pt`). */
  readonly name: string;
  /**
   * The absolute path when it was recorded: on this machine for a local trial; inside the trial's pod for the
   * Kubernetes backend, where {@link uri} says where the file lives.
   */
  readonly path: string;
  /**
   * Where a file that is not on this machine lives (`pvc://claim/…/model.joblib`, `s3://bucket/…/model.joblib`); absent
   * for a local trial's file, whose `path` is the place.
   */
  readonly uri?: string;
  /**
   * The folder `name` is relative to: absent for the artifacts folder, `checkpoint` for the trial's PBT checkpoint
   * folder (Katib's `suggestion_trial_dir`), whose files are recorded too, each of kind `checkpoint`.
   */
  readonly folder?: 'checkpoint';
  readonly kind: ArtifactKind;
  /** Hex sha256 of the file's bytes. */
  readonly sha256: string;
  readonly size: number;
}

/**
 * Bounds of a scan: a trial cannot make the controller hash a whole disk. The Kubernetes backend's inventory sidecar
 * keeps the same ones.
 */
export const artifactScanLimits: { readonly maxFiles: number; readonly maxDepth: number } = {
  maxFiles: 1000,
  maxDepth: 8,
};
const { maxFiles, maxDepth } = artifactScanLimits;

const byExtension: Readonly<Record<string, ArtifactKind>> = {
  '.joblib': 'model',
  '.pkl': 'model',
  '.pickle': 'model',
  '.pt': 'model',
  '.pth': 'model',
  '.mar': 'model',
  '.onnx': 'model',
  '.h5': 'model',
  '.keras': 'model',
  '.safetensors': 'model',
  '.bst': 'model',
  '.ckpt': 'checkpoint',
  '.png': 'plot',
  '.svg': 'plot',
  '.jpg': 'plot',
  '.jpeg': 'plot',
  '.html': 'plot',
};

/**
 * The kind of a file by its path when the manifest does not name it: anything under a `checkpoint*` folder is a
 * checkpoint (a PyTorch `.pt` there is a checkpoint, not the model); `metrics*.json`/`.csv` are metrics; then the
 * extension table (`.joblib .pkl .pt .pth .mar .onnx .h5 .keras .safetensors .bst` model, `.ckpt` checkpoint,
 * `.png .svg .jpg .html` plot); anything else is `other`.
 */
export function artifactKind(name: string): ArtifactKind {
  const parts = name.toLowerCase().split('/');
  const base = parts.at(-1) ?? '';
  if (parts.slice(0, -1).some((p) => p.startsWith('checkpoint'))) return 'checkpoint';
  if (base.startsWith('metrics') && (base.endsWith('.json') || base.endsWith('.csv'))) return 'metrics';
  return byExtension[extname(base)] ?? 'other';
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The manifest's kinds by name, and what was wrong with it (a bad manifest falls back to the extension rules). */
async function readManifest(dir: string): Promise<{ kinds: Map<string, ArtifactKind>; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(join(dir, artifactManifestName), 'utf8');
  } catch {
    return { kinds: new Map(), problems: [] };
  }
  return parseArtifactManifest(text);
}

/**
 * The kinds a manifest's text names, and what was wrong with it (a bad manifest falls back to the extension rules).
 * The local scan reads the file; the Kubernetes backend gets its text from the pod's artifact inventory.
 */
export function parseArtifactManifest(text: string): { kinds: Map<string, ArtifactKind>; problems: string[] } {
  const kinds = new Map<string, ArtifactKind>();
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return {
      kinds,
      problems: [`${artifactManifestName} is not JSON (${(e as Error).message}); kinds come from extensions`],
    };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { kinds, problems: [`${artifactManifestName} must map file names to kinds; kinds come from extensions`] };
  }
  const problems: string[] = [];
  for (const [name, kind] of Object.entries(doc)) {
    if (artifactKinds.includes(kind as ArtifactKind)) kinds.set(name, kind as ArtifactKind);
    else
      problems.push(
        `${artifactManifestName}: '${name}' has kind ${JSON.stringify(kind)}, not one of ${artifactKinds.join(', ')}`,
      );
  }
  return { kinds, problems };
}

/**
 * The regular files under `dir` (its manifest aside), sorted by name, with kind and digest. Symbolic links and other
 * non-regular entries are skipped, never followed (a trial could point one at any file of the machine); the scan
 * stops at 1,000 files and 8 levels. A missing folder has no artifacts.
 */
export async function scanArtifacts(dir: string): Promise<{ artifacts: ArtifactRecord[]; problems: string[] }> {
  // Most trials leave nothing: one readdir answers for them, with no attempt at a manifest.
  try {
    if ((await readdir(dir)).length === 0) return { artifacts: [], problems: [] };
  } catch {
    return { artifacts: [], problems: [] };
  }
  const { kinds, problems } = await readManifest(dir);
  const files: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(folder, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth) await walk(path, depth + 1);
        else problems.push(`${relative(dir, path)}: deeper than ${maxDepth} levels, not recorded`);
      } else if (e.isFile() && !(depth === 0 && e.name === artifactManifestName)) {
        if (files.length >= maxFiles) {
          problems.push(`more than ${maxFiles} files; the rest are not recorded`);
          return;
        }
        files.push(path);
      } else if (e.isSymbolicLink()) {
        problems.push(`${relative(dir, path)}: a symbolic link, not recorded (write the file itself)`);
      }
    }
  };
  await walk(dir, 0);
  const artifacts: ArtifactRecord[] = [];
  for (const path of files) {
    const name = relative(dir, path).split(sep).join('/');
    // lstat again: the file may have been replaced by a link since the listing.
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || !st.isFile()) continue;
    artifacts.push({
      name,
      path,
      kind: kinds.get(name) ?? artifactKind(name),
      sha256: await sha256(path),
      size: st.size,
    });
  }
  return { artifacts, problems };
}

/** Writes `artifacts` to `recordPath` atomically (a reader never sees half a record). */
export async function writeArtifactRecord(recordPath: string, artifacts: readonly ArtifactRecord[]): Promise<void> {
  await mkdir(dirname(recordPath), { recursive: true });
  const tmp = `${recordPath}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ artifacts }, null, 2)}\n`);
  await rename(tmp, recordPath);
}

/** The recorded artifacts at `recordPath`; none when the trial recorded none (or ran before artifacts existed). */
export async function readArtifactRecord(recordPath: string): Promise<ArtifactRecord[]> {
  let text: string;
  try {
    text = await readFile(recordPath, 'utf8');
  } catch {
    return [];
  }
  try {
    const doc = JSON.parse(text) as { artifacts?: unknown };
    return Array.isArray(doc.artifacts) ? (doc.artifacts as ArtifactRecord[]) : [];
  } catch {
    return [];
  }
}
