// Seeding a PBT trial's checkpoint folder from its parent's: the one copy the local controller and `hpo
// suggestion-server` share.
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedCheckpointFolder } from '../../src/trial/checkpointFolder.ts';
import { tempDir } from '../helpers.ts';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

function root(): string {
  tmp = tempDir();
  return tmp.dir;
}

describe('seedCheckpointFolder', () => {
  it('makes an empty folder for a trial without a parent', async () => {
    const dir = join(root(), 'exp', 'a');
    expect(await seedCheckpointFolder(dir)).toBe('empty');
    expect(readdirSync(dir)).toEqual([]);
  });

  it("copies the parent's folder, nested files and relative links included, and leaves no partial copy", async () => {
    const r = root();
    const parent = join(r, 'exp', 'p');
    mkdirSync(join(parent, 'step-40'), { recursive: true });
    writeFileSync(join(parent, 'step-40', 'model.bin'), 'weights of p');
    symlinkSync('step-40', join(parent, 'latest'));
    const child = join(r, 'exp', 'c');
    expect(await seedCheckpointFolder(child, parent)).toBe('copied');
    expect(readFileSync(join(child, 'latest', 'model.bin'), 'utf8')).toBe('weights of p');
    // Still relative: the child's `latest` is its own step-40, not the parent's.
    expect(readlinkSync(join(child, 'latest'))).toBe('step-40');
    writeFileSync(join(child, 'step-40', 'model.bin'), 'weights of c');
    expect(readFileSync(join(parent, 'step-40', 'model.bin'), 'utf8')).toBe('weights of p');
    expect(readdirSync(join(r, 'exp')).sort()).toEqual(['c', 'p']);
  });

  it('keeps a folder that exists (a resumed trial, a repeated request)', async () => {
    const r = root();
    const parent = join(r, 'p');
    mkdirSync(parent);
    writeFileSync(join(parent, 'x'), 'parent');
    const child = join(r, 'c');
    mkdirSync(child);
    writeFileSync(join(child, 'x'), 'own progress');
    expect(await seedCheckpointFolder(child, parent)).toBe('kept');
    expect(readFileSync(join(child, 'x'), 'utf8')).toBe('own progress');
  });

  it('gives an empty folder and says so when the parent has none, or only a link where its folder should be', async () => {
    const r = root();
    expect(await seedCheckpointFolder(join(r, 'c1'), join(r, 'gone'))).toBe('parentMissing');
    expect(readdirSync(join(r, 'c1'))).toEqual([]);
    const elsewhere = join(r, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'secret'), 'not a checkpoint');
    symlinkSync(elsewhere, join(r, 'linked'));
    expect(await seedCheckpointFolder(join(r, 'c2'), join(r, 'linked'))).toBe('parentMissing');
    expect(readdirSync(join(r, 'c2'))).toEqual([]);
  });

  it('starts over from a copy a crash cut short instead of keeping it', async () => {
    const r = root();
    const parent = join(r, 'p');
    mkdirSync(parent);
    writeFileSync(join(parent, 'a'), 'A');
    writeFileSync(join(parent, 'b'), 'B');
    // What an interrupted copy leaves: half of the files, under the hidden name.
    mkdirSync(join(r, '.c.partial'));
    writeFileSync(join(r, '.c.partial', 'a'), 'A');
    expect(await seedCheckpointFolder(join(r, 'c'), parent)).toBe('copied');
    expect(readdirSync(join(r, 'c')).sort()).toEqual(['a', 'b']);
    expect(existsSync(join(r, '.c.partial'))).toBe(false);
  });
});
