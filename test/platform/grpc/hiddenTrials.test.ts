import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SuggestionServer, startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { call, experiment, katibClients, param, trial } from './helpers.ts';

interface Assignments {
  assignments: { name: string; value: string }[];
  trial_name: string;
  labels: Record<string, string>;
}
interface Reply {
  parameter_assignments: Assignments[];
  algorithm: { algorithm_name: string; algorithm_settings: { name: string; value: string }[] };
}

let clock = 0;
let server: SuggestionServer;
let clients: ReturnType<typeof katibClients>;

beforeAll(async () => {
  server = await startSuggestionServer({ port: 0, host: '127.0.0.1', now: () => clock, unseenGraceMs: 60_000 });
  clients = katibClients(server.port);
});

afterAll(async () => {
  clients.close();
  await server.close();
});

const losses = [0.4, 0.1, 0.3, 0.2];
const base = {
  algorithm: 'hyperband',
  parameters: [param('lr', 'DOUBLE', { min: '0.01', max: '0.1' }), param('epochs', 'INT', { min: '1', max: '4' })],
  parallel: 4,
  max: 20,
};

function withState(settings: Record<string, string>, reply?: Reply) {
  const state = reply?.algorithm.algorithm_settings.find((s) => s.name === 'hpo_state')?.value;
  return experiment({ ...base, settings: state === undefined ? settings : { ...settings, hpo_state: state } });
}

function suggest(exp: Record<string, unknown>, trials: unknown[], count: number) {
  return call<Reply>(clients.suggestion, 'GetSuggestions', {
    experiment: exp,
    trials,
    current_request_number: count,
    total_request_number: count,
  });
}

/** Katib's trials of the first rung, except the ones it hides (`keep` false). */
function visible(reply: Reply, keep: (i: number) => boolean) {
  return reply.parameter_assignments.flatMap((a, i) =>
    keep(i)
      ? [
          trial({
            name: a.trial_name,
            assignments: a.assignments,
            labels: a.labels,
            metrics: { loss: String(losses[i]) },
          }),
        ]
      : [],
  );
}

const lr = (a: Assignments | undefined) => a?.assignments.find((x) => x.name === 'lr')?.value;

describe('trials Katib leaves out of a request', () => {
  it('a trial missing before a visible one is MetricsUnavailable at once: the rung completes', async () => {
    const settings = { r_l: '4', resource_name: 'epochs', eta: '2', random_state: '1' };
    const first = await suggest(withState(settings), [], 4);
    if (!first.ok) throw new Error(first.details);
    const second = await suggest(
      withState(settings, first.reply),
      visible(first.reply, (i) => i !== 1),
      2,
    );
    expect(second.ok).toBe(true);
    // Without trial 1 (the best), the two best are 3 (0.2) and 2 (0.3).
    const promoted = second.ok ? second.reply.parameter_assignments.map(lr).sort() : [];
    expect(promoted).toEqual(
      [lr(first.reply.parameter_assignments[3]), lr(first.reply.parameter_assignments[2])].sort(),
    );
  });

  it('a never-seen last trial is waited for, then counted as hidden once the grace period has passed', async () => {
    const settings = { r_l: '4', resource_name: 'epochs', eta: '2', random_state: '2' };
    const first = await suggest(withState(settings), [], 4);
    if (!first.ok) throw new Error(first.details);
    const trials = visible(first.reply, (i) => i !== 3);
    const early = await suggest(withState(settings, first.reply), trials, 2);
    expect(early.ok).toBe(false);
    if (!early.ok) {
      expect(early.code).toBe(status.UNAVAILABLE);
      expect(early.details).toContain('1 trial(s) of the last reply are not in the request yet');
    }
    clock += 59_000;
    expect((await suggest(withState(settings, first.reply), trials, 2)).ok).toBe(false);
    clock += 2_000;
    const late = await suggest(withState(settings, first.reply), trials, 2);
    expect(late.ok).toBe(true);
    const promoted = late.ok ? late.reply.parameter_assignments.map(lr).sort() : [];
    expect(promoted).toEqual(
      [lr(first.reply.parameter_assignments[1]), lr(first.reply.parameter_assignments[2])].sort(),
    );
  });

  it('a damaged hpo_state is ignored, not fatal (Katib would retry the call forever)', async () => {
    const exp = experiment({ algorithm: 'random', parameters: base.parameters, settings: { hpo_state: '%%%' } });
    const result = await suggest(exp, [], 2);
    expect(result.ok && result.reply.parameter_assignments.length).toBe(2);
  });
});
