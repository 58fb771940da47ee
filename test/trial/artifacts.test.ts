import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactKind, readArtifactRecord, scanArtifacts, writeArtifactRecord } from '../../src/trial/artifacts.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('hpo-artifacts-');
});
afterEach(() => tmp.cleanup());

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

describe('artifactKind (extension rules)', () => {
  it.each([
    ['model.joblib', 'model'],
    ['model.pt', 'model'],
    ['net/model.onnx', 'model'],
    ['checkpoints/epoch-3.pt', 'checkpoint'],
    ['last.ckpt', 'checkpoint'],
    ['metrics.json', 'metrics'],
    ['metrics-final.csv', 'metrics'],
    ['history.svg', 'plot'],
    ['confusion.PNG', 'plot'],
    ['notes.txt', 'other'],
    ['config.json', 'other'],
  ])('%s is %s', (name, kind) => {
    expect(artifactKind(name)).toBe(kind);
  });
});

describe('scanArtifacts', () => {
  it('records every regular file with its kind and sha256, the manifest overriding the extension', async () => {
    const dir = tmp.dir;
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'model.joblib'), 'weights');
    writeFileSync(join(dir, 'sub', 'scores.bin'), 'scores');
    writeFileSync(join(dir, 'hpo-artifacts.json'), JSON.stringify({ 'sub/scores.bin': 'metrics' }));
    const { artifacts, problems } = await scanArtifacts(dir);
    expect(problems).toEqual([]);
    expect(artifacts).toEqual([
      { name: 'model.joblib', path: join(dir, 'model.joblib'), kind: 'model', sha256: digest('weights'), size: 7 },
      {
        name: 'sub/scores.bin',
        path: join(dir, 'sub', 'scores.bin'),
        kind: 'metrics',
        sha256: digest('scores'),
        size: 6,
      },
    ]);
  });

  it('never follows a symbolic link (a trial could point one at any file here)', async () => {
    writeFileSync(join(tmp.dir, 'model.pt'), 'w');
    symlinkSync('/etc/passwd', join(tmp.dir, 'stolen.pkl'));
    const { artifacts, problems } = await scanArtifacts(tmp.dir);
    expect(artifacts.map((a) => a.name)).toEqual(['model.pt']);
    expect(problems).toEqual([expect.stringContaining('stolen.pkl: a symbolic link')]);
  });

  it('falls back to the extension rules on a bad manifest and says why', async () => {
    writeFileSync(join(tmp.dir, 'model.pt'), 'w');
    writeFileSync(join(tmp.dir, 'hpo-artifacts.json'), JSON.stringify({ 'model.pt': 'weights' }));
    const { artifacts, problems } = await scanArtifacts(tmp.dir);
    expect(artifacts[0]?.kind).toBe('model');
    expect(problems).toEqual([expect.stringContaining('\'model.pt\' has kind "weights"')]);
  });

  it('finds nothing in a missing folder, and a record round-trips', async () => {
    expect(await scanArtifacts(join(tmp.dir, 'none'))).toEqual({ artifacts: [], problems: [] });
    writeFileSync(join(tmp.dir, 'a.png'), 'p');
    const { artifacts } = await scanArtifacts(tmp.dir);
    const record = join(tmp.dir, 'records', 't.json');
    await writeArtifactRecord(record, artifacts);
    expect(await readArtifactRecord(record)).toEqual(artifacts);
    expect(await readArtifactRecord(join(tmp.dir, 'records', 'other.json'))).toEqual([]);
  });
});
