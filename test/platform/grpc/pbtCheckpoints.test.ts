// `hpo suggestion-server` keeps PBT's checkpoint folders on the suggestion volume as Katib's pbt service does: each
// assignment's folder `<volume>/<experiment>/<trial>` (what Katib's webhook mounts into the trial at
// `suggestion_trial_dir`) exists before the reply, a child's as a copy of its parent's; dead folders are removed,
// a bounded number per call. Driven through a real gRPC client built from Katib's proto.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { tempDir } from '../../helpers.ts';
import { type CallResult, call, experiment, katibClients, param, trial, withReturnedSettings } from './helpers.ts';

interface Assignments {
  assignments: { name: string; value: string }[];
  trial_name: string;
  labels: Record<string, string>;
}
interface Reply {
  parameter_assignments: Assignments[];
  algorithm: { algorithm_name: string; algorithm_settings: { name: string; value: string }[] } | null;
}

const parentLabel = 'pbt.suggestion.katib.kubeflow.org/parent';
const generationLabel = 'pbt.suggestion.katib.kubeflow.org/generation';

interface Live {
  server: SuggestionServer;
  clients: ReturnType<typeof katibClients>;
  volume: string;
  lines: string[];
}

let tmp: ReturnType<typeof tempDir>;
/** Keeps the default two generations. */
let pruning: Live;
/** Keeps every folder, as Katib's service does. */
let keepingAll: Live;

async function start(volume: string, keepGenerations?: number): Promise<Live> {
  const lines: string[] = [];
  const server = await startSuggestionServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: volume,
    ...(keepGenerations === undefined ? {} : { keepGenerations }),
    log: (line) => lines.push(line),
    algorithms: { 'named-trials': new URL('../../fixtures/algorithms/namedTrials.mjs', import.meta.url).href },
  });
  return { server, clients: katibClients(server.port), volume, lines };
}

beforeAll(async () => {
  tmp = tempDir();
  mkdirSync(join(tmp.dir, 'outside'));
  pruning = await start(join(tmp.dir, 'volume'));
  keepingAll = await start(join(tmp.dir, 'volume-all'), Number.POSITIVE_INFINITY);
});
afterAll(async () => {
  for (const live of [pruning, keepingAll]) {
    live?.clients.close();
    await live?.server.close();
  }
  tmp?.cleanup();
});

const pbt = (name: string) =>
  experiment({
    name,
    algorithm: 'pbt',
    parameters: [param('lr', 'DOUBLE', { min: '0.01', max: '0.05', step: '0.01' })],
    settings: { suggestion_trial_dir: '/var/log/katib/checkpoints/', n_population: '5', truncation_threshold: '0.4' },
    type: 'MAXIMIZE',
    metric: 'acc',
  });

function suggest(live: Live, exp: Record<string, unknown>, trials: unknown[], count: number) {
  return call<Reply>(live.clients.suggestion, 'GetSuggestions', {
    experiment: exp,
    trials,
    current_request_number: count,
    total_request_number: count,
  });
}

function ok(result: CallResult<Reply>): Reply {
  if (!result.ok) throw new Error(`GetSuggestions failed: ${result.code} ${result.details}`);
  return result.reply;
}

/** Katib's trials for a reply's assignments, finished with `acc`. */
function finished(reply: Reply, acc: (i: number) => number): Record<string, unknown>[] {
  return reply.parameter_assignments.map((a, i) =>
    trial({ name: a.trial_name, assignments: a.assignments, labels: a.labels, metrics: { acc: String(acc(i)) } }),
  );
}

/** What each trial "trained": a checkpoint file naming the trial that wrote it. */
function train(live: Live, experimentName: string, reply: Reply): void {
  for (const a of reply.parameter_assignments) {
    writeFileSync(join(live.volume, experimentName, a.trial_name, 'ckpt'), a.trial_name);
  }
}

/** Runs one generation to completion: ask for 5, train, report; returns the reply and the next Experiment. */
async function generation(live: Live, exp: Record<string, unknown>, history: unknown[], acc: (i: number) => number) {
  const reply = ok(await suggest(live, exp, history, 5));
  train(live, exp.name as string, reply);
  return { reply, exp: withReturnedSettings(exp, reply), history: [...history, ...finished(reply, acc)] };
}

describe('PBT checkpoints on the suggestion volume', { timeout: 60_000 }, () => {
  it("seeds each trial's folder before replying, a child's from its parent's checkpoint", async () => {
    const first = ok(await suggest(pruning, pbt('seed'), [], 5));
    for (const a of first.parameter_assignments) {
      expect(readdirSync(join(pruning.volume, 'seed', a.trial_name))).toEqual([]);
    }
    train(pruning, 'seed', first);
    const next = ok(
      await suggest(
        pruning,
        withReturnedSettings(pbt('seed'), first),
        finished(first, (i) => i / 10),
        5,
      ),
    );
    expect(next.parameter_assignments.map((a) => a.labels[generationLabel])).toEqual(['1', '1', '1', '1', '1']);
    for (const a of next.parameter_assignments) {
      const parent = a.labels[parentLabel] as string;
      expect(first.parameter_assignments.map((x) => x.trial_name)).toContain(parent);
      // The child resumes from exactly what its parent wrote.
      expect(readFileSync(join(pruning.volume, 'seed', a.trial_name, 'ckpt'), 'utf8')).toBe(parent);
    }
    // The bottom two (acc 0 and 0.1) exploit a top one instead of continuing their own checkpoint.
    const parents = new Set(next.parameter_assignments.map((a) => a.labels[parentLabel]));
    expect(parents.has(first.parameter_assignments[0]?.trial_name)).toBe(false);
  });

  it("does not wipe a running trial's progress when Katib repeats a request", async () => {
    const exp = pbt('repeat');
    const first = ok(await suggest(pruning, exp, [], 2));
    const folder = join(pruning.volume, 'repeat', first.parameter_assignments[0]?.trial_name as string);
    writeFileSync(join(folder, 'ckpt'), 'epoch 7');
    const again = ok(await suggest(pruning, exp, [], 2));
    expect(again.parameter_assignments).toEqual(first.parameter_assignments);
    expect(readFileSync(join(folder, 'ckpt'), 'utf8')).toBe('epoch 7');
  });

  it('starts a child from an empty folder and warns when its parent has no checkpoint folder', async () => {
    const g0 = await generation(pruning, pbt('lost'), [], (i) => i / 10);
    const best = g0.reply.parameter_assignments[4]?.trial_name as string;
    rmSync(join(pruning.volume, 'lost', best), { recursive: true });
    const next = ok(await suggest(pruning, g0.exp, g0.history, 5));
    const orphans = next.parameter_assignments.filter((a) => a.labels[parentLabel] === best);
    expect(orphans.length).toBeGreaterThan(0);
    for (const a of orphans) expect(readdirSync(join(pruning.volume, 'lost', a.trial_name))).toEqual([]);
    const warnings = pruning.lines.filter((l) => l.startsWith('warning: lost:') && l.includes(`its parent ${best}`));
    expect(warnings).toHaveLength(orphans.length);
  });

  it('removes the folders of generations no trial can be seeded from again, keeping the best; --keep all keeps them', async () => {
    for (const live of [pruning, keepingAll]) {
      // Generation 1 holds the best trial (0.9); generation 2 the rest.
      const g0 = await generation(live, pbt('prune'), [], (i) => i / 10);
      const g1 = await generation(live, g0.exp, g0.history, (i) => (i === 2 ? 0.9 : 0.5));
      const g2 = ok(await suggest(live, g1.exp, g1.history, 5));
      const left = readdirSync(join(live.volume, 'prune'));
      const names = (r: Reply) => r.parameter_assignments.map((a) => a.trial_name);
      for (const n of [...names(g1.reply), ...names(g2)]) expect(left).toContain(n);
      const gen0Left = names(g0.reply).filter((n) => left.includes(n));
      expect(gen0Left).toEqual(live === pruning ? [] : names(g0.reply));
    }
    expect(pruning.lines.some((l) => l.startsWith('prune: removed 5 dead checkpoint folder(s)'))).toBe(true);
    expect(keepingAll.lines.some((l) => l.includes('removed'))).toBe(false);
  });

  it('makes no folder for an algorithm without suggestion_trial_dir', async () => {
    const exp = experiment({
      name: 'plain',
      algorithm: 'random',
      parameters: [param('x', 'INT', { min: '1', max: '9' })],
    });
    ok(await suggest(pruning, exp, [], 2));
    expect(existsSync(join(pruning.volume, 'plain'))).toBe(false);
  });

  it.each([
    ['a hostile trial name', 'named', { child: '../../outside/evil' }, "trial name: '../../outside/evil' is not"],
    ['a hostile parent', 'named', { child: 'fine', parent: '../../outside' }, "parent of trial fine: '../../outside'"],
    ['a name with a slash', 'named', { child: 'a/b' }, "trial name: 'a/b' is not a Kubernetes object name"],
    // Refused earlier, by the Experiment's own checks (Katib's webhook rule for metadata.name).
    ['a hostile experiment name', '../outside', { child: 'fine' }, 'metadata.name'],
  ])('refuses %s with INVALID_ARGUMENT and writes nothing outside the volume', async (_, name, names, why) => {
    const exp = experiment({
      name,
      algorithm: 'named-trials',
      parameters: [param('x', 'DOUBLE', { min: '0', max: '4' })],
      settings: { suggestion_trial_dir: '/ckpt', ...names },
    });
    const r = await suggest(pruning, exp, [], 1);
    expect(r.ok ? 'answered' : r.code).toBe(status.INVALID_ARGUMENT);
    expect(r.ok ? '' : r.details).toContain(why);
    expect(readdirSync(join(tmp.dir, 'outside'))).toEqual([]);
    expect(existsSync(join(tmp.dir, 'evil'))).toBe(false);
  });
});
