// The suggestion volume's folders: names that are not Kubernetes names never reach the file system, paths never
// leave the root, removal is bounded and never follows a link (src/platform/grpc/suggestionVolume.ts).
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcStatusError } from '../../../src/platform/grpc/status.ts';
import { SuggestionVolume, volumeNameProblem } from '../../../src/platform/grpc/suggestionVolume.ts';
import { tempDir } from '../../helpers.ts';

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.cleanup());

/** A volume at `<tmp>/volume`, beside a folder `<tmp>/outside` that nothing may touch. */
function volume(): { v: SuggestionVolume; outside: string } {
  tmp = tempDir();
  const outside = join(tmp.dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'precious'), 'keep me');
  return { v: new SuggestionVolume(join(tmp.dir, 'volume')), outside };
}

async function rejected(work: Promise<unknown>): Promise<GrpcStatusError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrpcStatusError);
  return error as GrpcStatusError;
}

const hostile = [
  '',
  '.',
  '..',
  '../outside',
  '../../etc',
  'a/b',
  '/etc',
  '.hidden',
  'Upper',
  'a\u0000b',
  'tab\t',
  'é',
  'x'.repeat(254),
];

describe('SuggestionVolume', () => {
  it.each(hostile.map((n) => [JSON.stringify(n).slice(0, 24), n]))('refuses the name %s', (_, name) => {
    expect(volumeNameProblem(name)).toBeDefined();
  });

  it.each(['exp-1', 'exp-1-g0-0', 'a.b-c', 'x'.repeat(253)])('accepts the Kubernetes name %s', (name) => {
    expect(volumeNameProblem(name)).toBeUndefined();
  });

  it('refuses a hostile trial, parent or experiment name with INVALID_ARGUMENT before writing anything', async () => {
    const { v, outside } = volume();
    for (const [experiment, trial, parent] of [
      ['exp', '../outside/x', undefined],
      ['exp', 'ok', '../../outside'],
      ['../outside', 'ok', undefined],
      ['exp', 'ok', '/etc'],
    ] as const) {
      // A good name first: every name is checked before anything is written.
      const e = await rejected(
        v.prepare(experiment, [{ trial: 'fine' }, parent === undefined ? { trial } : { trial, parent }]),
      );
      expect(e.code).toBe(status.INVALID_ARGUMENT);
      expect(e.message).toContain('not a Kubernetes object name');
    }
    expect(existsSync(v.root)).toBe(false);
    expect(readdirSync(outside)).toEqual(['precious']);
  });

  it('seeds folders under <root>/<experiment>/<trial>, children from parents', async () => {
    const { v } = volume();
    const first = await v.prepare('exp', [{ trial: 'exp-g0-0' }]);
    expect(first).toEqual([{ trial: 'exp-g0-0', path: join(v.root, 'exp', 'exp-g0-0'), seed: 'empty' }]);
    writeFileSync(join(v.root, 'exp', 'exp-g0-0', 'ckpt'), 'g0');
    const next = await v.prepare('exp', [
      { trial: 'exp-g1-0', parent: 'exp-g0-0' },
      { trial: 'exp-g1-1', parent: 'exp-g0-9' },
    ]);
    expect(next.map((f) => f.seed)).toEqual(['copied', 'parentMissing']);
    expect(readdirSync(join(v.root, 'exp', 'exp-g1-0'))).toEqual(['ckpt']);
  });

  it('refuses an experiment folder that is a link out of the volume', async () => {
    const { v, outside } = volume();
    mkdirSync(v.root);
    symlinkSync(outside, join(v.root, 'exp'));
    const e = await rejected(v.prepare('exp', [{ trial: 't' }]));
    expect(e.code).toBe(status.FAILED_PRECONDITION);
    expect(readdirSync(outside)).toEqual(['precious']);
  });

  it('answers FAILED_PRECONDITION with the fix when the volume cannot be written', async () => {
    tmp = tempDir();
    // A file where the mount point should be: no folder can be made under it, whoever runs the test.
    writeFileSync(join(tmp.dir, 'volume'), '');
    const e = await rejected(new SuggestionVolume(join(tmp.dir, 'volume')).prepare('exp', [{ trial: 't' }]));
    expect(e.code).toBe(status.FAILED_PRECONDITION);
    expect(e.message).toContain('resumePolicy: FromVolume');
    expect(e.message).toContain('--data-dir');
  });

  it('removes at most `limit` folders per call, skips hostile names and removes a link without following it', async () => {
    const { v, outside } = volume();
    await v.prepare(
      'exp',
      ['a', 'b', 'c'].map((trial) => ({ trial })),
    );
    symlinkSync(outside, join(v.root, 'exp', 'd'));
    expect(await v.remove('exp', ['../outside', 'gone', 'a', 'b', 'c', 'd'], 2)).toEqual(['a', 'b']);
    expect(await v.remove('exp', ['a', 'b', 'c', 'd'], 2)).toEqual(['c', 'd']);
    expect(readdirSync(join(v.root, 'exp'))).toEqual([]);
    expect(readdirSync(outside)).toEqual(['precious']);
  });

  it("removes nothing through an experiment folder that is a link, even a name the link's target holds", async () => {
    const { v, outside } = volume();
    mkdirSync(v.root);
    symlinkSync(outside, join(v.root, 'exp'));
    expect(await v.remove('exp', ['precious'], 10)).toEqual([]);
    expect(readdirSync(outside)).toEqual(['precious']);
  });
});
