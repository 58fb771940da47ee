import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { call, experiment, param, suggestionServerPerFile, trial, withReturnedSettings } from './helpers.ts';

interface Assignments {
  assignments: { name: string; value: string }[];
  trial_name: string;
  labels: Record<string, string>;
}
interface Reply {
  parameter_assignments: Assignments[];
  algorithm: { algorithm_name: string; algorithm_settings: { name: string; value: string }[] } | null;
}

const live = suggestionServerPerFile();

const space = [
  param('lr', 'DOUBLE', { min: '0.01', max: '0.05' }),
  param('layers', 'INT', { min: '2', max: '5' }),
  param('optimizer', 'CATEGORICAL', { list: ['sgd', 'adam', 'ftrl'] }),
  param('batch', 'DISCRETE', { list: ['16', '32', '64'] }),
  param('decay', 'DOUBLE', { min: '0.0001', max: '0.1', distribution: 'LOG_UNIFORM' }),
];

/** Katib trials for the assignments of a reply, named as the reply asked. */
function trialsOf(reply: Reply, condition: string, loss?: (a: Assignments, i: number) => number) {
  return reply.parameter_assignments.map((a, i) =>
    trial({
      name: a.trial_name,
      assignments: a.assignments,
      condition,
      labels: a.labels,
      ...(loss ? { metrics: { loss: String(loss(a, i)) } } : {}),
    }),
  );
}

async function suggest(exp: Record<string, unknown>, trials: unknown[], count: number, total = count) {
  return call<Reply>(live.clients.suggestion, 'GetSuggestions', {
    experiment: exp,
    trials,
    current_request_number: count,
    total_request_number: total,
  });
}

async function suggestOk(exp: Record<string, unknown>, trials: unknown[], count: number): Promise<Reply> {
  const result = await suggest(exp, trials, count);
  if (!result.ok) throw new Error(`GetSuggestions failed: ${result.code} ${result.details}`);
  return result.reply;
}

const key = (a: Assignments) => JSON.stringify(a.assignments);

describe('Katib Suggestion service', () => {
  it('listens on the port the OS picked', () => {
    expect(live.server.port).toBeGreaterThan(0);
    expect(live.server.port).not.toBe(6789);
  });

  it.each([1, 2, 5])('random: exactly %i assignments, each value a string inside its feasible space', async (n) => {
    const reply = await suggestOk(experiment({ algorithm: 'random', parameters: space }), [], n);
    expect(reply.parameter_assignments).toHaveLength(n);
    for (const a of reply.parameter_assignments) {
      expect(a.assignments.map((x) => x.name)).toEqual(['lr', 'layers', 'optimizer', 'batch', 'decay']);
      expect(a.assignments.every((x) => typeof x.value === 'string')).toBe(true);
      const v = Object.fromEntries(a.assignments.map((x) => [x.name, x.value]));
      expect(Number(v.lr)).toBeGreaterThanOrEqual(0.01);
      expect(Number(v.lr)).toBeLessThanOrEqual(0.05);
      expect(v.layers).toMatch(/^[2-5]$/);
      expect(['sgd', 'adam', 'ftrl']).toContain(v.optimizer);
      expect(['16', '32', '64']).toContain(v.batch);
      expect(Number(v.decay)).toBeGreaterThanOrEqual(0.0001);
      expect(Number(v.decay)).toBeLessThanOrEqual(0.1);
      // Katib names trials `<experiment>-<8 chars>`; we name them the same way so later requests can find them.
      expect(a.trial_name).toMatch(/^katib-exp-[a-z0-9]{8}$/);
    }
    expect(new Set(reply.parameter_assignments.map((a) => a.trial_name)).size).toBe(n);
    expect(reply.algorithm?.algorithm_settings.map((s) => s.name)).toEqual(['hpo_state']);
  });

  const stepped = [
    param('lr', 'DOUBLE', { min: '0.01', max: '0.05', step: '0.01' }),
    param('layers', 'INT', { min: '2', max: '5' }),
    param('optimizer', 'CATEGORICAL', { list: ['sgd', 'adam', 'ftrl'] }),
  ];
  it.each(['random', 'sobol', 'grid', 'tpe', 'multivariate-tpe', 'cmaes'])(
    '%s: exactly 3 assignments from the grid of a stepped space, twice in a row',
    async (algorithm) => {
      const exp = experiment({ algorithm, parameters: stepped, max: 6 });
      const first = await suggestOk(exp, [], 3);
      const second = await suggestOk(
        withReturnedSettings(exp, first),
        trialsOf(first, 'SUCCEEDED', (_, i) => i),
        3,
      );
      for (const a of [...first.parameter_assignments, ...second.parameter_assignments]) {
        const v = Object.fromEntries(a.assignments.map((x) => [x.name, x.value]));
        expect(['0.01', '0.02', '0.03', '0.04', '0.05']).toContain(v.lr);
        expect(v.layers).toMatch(/^[2-5]$/);
        expect(['sgd', 'adam', 'ftrl']).toContain(v.optimizer);
      }
      expect(second.parameter_assignments).toHaveLength(3);
    },
  );

  it('random: same experiment and history give the same answer; random_state changes it', async () => {
    const a = await suggestOk(experiment({ algorithm: 'random', parameters: space }), [], 2);
    const b = await suggestOk(experiment({ algorithm: 'random', parameters: space }), [], 2);
    const c = await suggestOk(
      experiment({ algorithm: 'random', parameters: space, settings: { random_state: '7' } }),
      [],
      2,
    );
    expect(b.parameter_assignments).toEqual(a.parameter_assignments);
    expect(c.parameter_assignments.map(key)).not.toEqual(a.parameter_assignments.map(key));
  });

  it('random: a trial Katib hides (MetricsUnavailable) does not make the next draw repeat one', async () => {
    const exp = experiment({ algorithm: 'random', parameters: space });
    const first = await suggestOk(exp, [], 2);
    const second = await suggestOk(withReturnedSettings(exp, first), trialsOf(first, 'RUNNING'), 1);
    // The first reply's second trial ended MetricsUnavailable: Katib's ConvertTrials leaves it out.
    const visible = [...trialsOf(first, 'SUCCEEDED', () => 0.5).slice(0, 1), ...trialsOf(second, 'RUNNING')];
    const third = await suggestOk(withReturnedSettings(exp, second), visible, 1);
    const earlier = [...first.parameter_assignments, ...second.parameter_assignments].map(key);
    expect(earlier).not.toContain(key(third.parameter_assignments[0] as Assignments));
  });

  describe('grid', () => {
    const gridSpace = [
      param('layers', 'INT', { min: '1', max: '2' }),
      param('optimizer', 'CATEGORICAL', { list: ['sgd', 'adam', 'ftrl'] }),
    ];
    const exp = experiment({ algorithm: 'grid', parameters: gridSpace, max: 6 });

    it('continues over calls without repeating, even before the trials of the last reply exist', async () => {
      const first = await suggestOk(exp, [], 2);
      const second = await suggestOk(
        withReturnedSettings(exp, first),
        trialsOf(first, 'SUCCEEDED', () => 1),
        2,
      );
      // Katib raised its request before creating the second reply's trials: they are not in this request.
      const third = await suggestOk(
        withReturnedSettings(exp, second),
        trialsOf(first, 'SUCCEEDED', () => 1),
        2,
      );
      const all = [first, second, third].flatMap((r) => r.parameter_assignments.map(key));
      expect(all).toHaveLength(6);
      expect(new Set(all).size).toBe(6);
    });

    it('a finished grid answers FAILED_PRECONDITION, saying how to end the experiment', async () => {
      const first = await suggestOk(exp, [], 4);
      const result = await suggest(
        withReturnedSettings(exp, first),
        trialsOf(first, 'SUCCEEDED', () => 1),
        3,
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe(status.FAILED_PRECONDITION);
      expect(result.details).toContain('grid has finished: it can propose 2 more trial(s) but Katib asked for 3');
      expect(result.details).toContain('spec.maxTrialCount to at most 6');
    });
  });

  describe('hyperband', () => {
    const hbSpace = [
      param('lr', 'DOUBLE', { min: '0.01', max: '0.1' }),
      param('epochs', 'INT', { min: '1', max: '4' }),
    ];
    const exp = experiment({
      algorithm: 'hyperband',
      parameters: hbSpace,
      settings: { r_l: '4', resource_name: 'epochs', eta: '2' },
      parallel: 4,
      max: 20,
    });

    it('continues its bracket through the returned state: the best configs come back with twice the epochs', async () => {
      const first = await suggestOk(exp, [], 4);
      const epochs = (a: Assignments) => a.assignments.find((x) => x.name === 'epochs')?.value;
      const lr = (a: Assignments) => a.assignments.find((x) => x.name === 'lr')?.value;
      expect(first.parameter_assignments.map(epochs)).toEqual(['1', '1', '1', '1']);
      // While the rung runs, nothing more can be proposed: UNAVAILABLE, and Katib asks again later.
      const waiting = await suggest(withReturnedSettings(exp, first), trialsOf(first, 'RUNNING'), 1);
      expect(waiting.ok).toBe(false);
      if (!waiting.ok) expect(waiting.code).toBe(status.UNAVAILABLE);
      const done = trialsOf(first, 'SUCCEEDED', (_, i) => [0.4, 0.1, 0.3, 0.2][i] as number);
      const second = await suggestOk(withReturnedSettings(exp, first), done, 2);
      expect(second.parameter_assignments.map(epochs)).toEqual(['2', '2']);
      const best = [first.parameter_assignments[1], first.parameter_assignments[3]].map((a) => lr(a as Assignments));
      expect(second.parameter_assignments.map(lr).sort()).toEqual(best.sort());
    });
  });

  it('pbt: the trial names and labels the algorithm chooses reach Katib', async () => {
    const exp = experiment({
      algorithm: 'pbt',
      parameters: [param('lr', 'DOUBLE', { min: '0.01', max: '0.05', step: '0.01' })],
      settings: { suggestion_trial_dir: '/var/log/katib/checkpoints/', n_population: '5', truncation_threshold: '0.2' },
      type: 'MAXIMIZE',
    });
    const reply = await suggestOk(exp, [], 3);
    expect(reply.parameter_assignments.map((a) => a.trial_name)).toEqual([
      'katib-exp-g0-0',
      'katib-exp-g0-1',
      'katib-exp-g0-2',
    ]);
    expect(reply.parameter_assignments[0]?.labels['pbt.suggestion.katib.kubeflow.org/generation']).toBe('0');
  });

  it.each([
    ['no request number', 0, 'current_request_number must be at least 1'],
    ['an unknown algorithm', 1, "unknown algorithm 'no-such'; this suggestion server runs:"],
  ])('answers INVALID_ARGUMENT for %s', async (_, count, message) => {
    const name = message.includes('no-such') ? 'no-such' : 'random';
    const result = await suggest(experiment({ algorithm: name, parameters: space }), [], count);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toContain(message);
  });
});
