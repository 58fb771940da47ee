// The hpo_state Katib stores in the Suggestion object stays bounded: 10,000 trials through the real gRPC server, the
// record compacted past its cap (settled entries first, then the oldest hidden ones, never live or unseen ones), new
// trial names never repeating an old one, and the compaction rule itself table-driven.
import { describe, expect, it } from 'vitest';
import { startSuggestionServer } from '../../../src/platform/grpc/server.ts';
import { compactIssued, decodeState, type EntryKind, type IssuedEntry } from '../../../src/platform/grpc/state.ts';
import { call, experiment, katibClients, param, trial } from './helpers.ts';

interface Reply {
  parameter_assignments: { assignments: { name: string; value: string }[]; trial_name: string }[];
  algorithm: { algorithm_settings: { name: string; value: string }[] };
}

const stateOf = (r: Reply) => r.algorithm.algorithm_settings.find((s) => s.name === 'hpo_state')?.value ?? '';

describe('the hpo_state record', () => {
  it('stays under 150 KB over 10,000 trials (it grew to 1 MB before), and no trial name repeats', {
    timeout: 120_000,
  }, async () => {
    const server = await startSuggestionServer({ port: 0, host: '127.0.0.1' });
    const clients = katibClients(server.port);
    const parameters = [
      param('lr', 'DOUBLE', { min: '0.001', max: '0.1' }),
      param('m', 'DOUBLE', { min: '0.5', max: '0.99' }),
    ];
    const trials: Record<string, unknown>[] = [];
    const names = new Set<string>();
    let state: string | undefined;
    let largest = 0;
    try {
      for (let done = 0; done < 10_000; done += 500) {
        const exp = experiment({
          name: 'big',
          algorithm: 'random',
          settings: { random_state: '7', ...(state === undefined ? {} : { hpo_state: state }) },
          parameters,
          parallel: 500,
          max: 10_000,
        });
        const r = await call<Reply>(clients.suggestion, 'GetSuggestions', {
          experiment: exp,
          trials,
          current_request_number: 500,
          total_request_number: done + 500,
        });
        if (!r.ok) throw new Error(r.details);
        state = stateOf(r.reply);
        largest = Math.max(largest, state.length);
        for (const [k, a] of r.reply.parameter_assignments.entries()) {
          names.add(a.trial_name);
          const i = done + k;
          // Every 10th trial fails, every 50th is hidden by Katib (MetricsUnavailable: left out of the requests).
          if (i % 50 === 3) continue;
          trials.push(
            trial({
              name: a.trial_name,
              assignments: a.assignments,
              condition: i % 10 === 1 ? 'FAILED' : 'SUCCEEDED',
              metrics: { loss: String((i % 97) / 97) },
              start: `2026-01-01T${String(Math.floor(i / 3600)).padStart(2, '0')}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z`,
            }),
          );
        }
      }
    } finally {
      clients.close();
      await server.close();
    }
    expect(names.size).toBe(10_000);
    expect(largest).toBeLessThan(150_000);
    const last = decodeState(state, 'random');
    expect(last?.count).toBe(10_000);
    // What is left: hidden trials, at most the cap, and the last reply's 500 (not shown yet).
    expect(last!.issued.length).toBeLessThanOrEqual(1000);
    expect(last!.issued.slice(-500).map((e) => e.n)).toEqual([...names].slice(-500));
  });
});

describe('compactIssued', () => {
  const e = (n: string): IssuedEntry => ({ n, v: ['0.5'] });
  const entries = ['a', 'b', 'c', 'd', 'e', 'f'].map(e);
  it.each<[string, EntryKind[], number, string[]]>([
    [
      'under the cap: unchanged',
      ['settled', 'settled', 'live', 'hidden', 'unseen', 'unseen'],
      6,
      ['a', 'b', 'c', 'd', 'e', 'f'],
    ],
    ['over it: settled entries go', ['settled', 'hidden', 'settled', 'live', 'unseen', 'settled'], 5, ['b', 'd', 'e']],
    [
      'still over: the oldest hidden go',
      ['hidden', 'hidden', 'hidden', 'live', 'unseen', 'settled'],
      3,
      ['c', 'd', 'e'],
    ],
    [
      'live and unseen stay even past the cap',
      ['live', 'unseen', 'unseen', 'live', 'hidden', 'settled'],
      2,
      ['a', 'b', 'c', 'd'],
    ],
  ])('%s', (_what, kinds, max, kept) => {
    expect(compactIssued(entries, kinds, max).map((x) => x.n)).toEqual(kept);
  });

  it('a state whose count is below its record is not ours', () => {
    const text = Buffer.from(
      JSON.stringify({ version: 1, algorithm: 'random', issued: [e('a'), e('b')], count: 1 }),
    ).toString('base64');
    expect(decodeState(text, 'random')).toBeUndefined();
  });
});
