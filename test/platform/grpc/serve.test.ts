import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { serveUntilAborted } from '../../../src/platform/grpc/serve.ts';
import { call, experiment, katibClients, param } from './helpers.ts';

describe('serveUntilAborted', () => {
  it('reports where it listens, answers calls, and shuts down when the signal aborts', async () => {
    const controller = new AbortController();
    const lines: string[] = [];
    let listening: (port: number) => void = () => {};
    const port = new Promise<number>((resolve) => {
      listening = resolve;
    });
    const done = serveUntilAborted({
      port: 0,
      host: '127.0.0.1',
      signal: controller.signal,
      log: (line) => {
        lines.push(line);
        listening(Number(line.split(':').pop()));
      },
    });
    const clients = katibClients(await port);
    const exp = experiment({ algorithm: 'random', parameters: [param('x', 'INT', { min: '1', max: '3' })] });
    const result = await call<object>(clients.suggestion, 'ValidateAlgorithmSettings', { experiment: exp });
    expect(result.ok).toBe(true);
    expect(lines[0]).toMatch(/^Katib suggestion service \(Suggestion, EarlyStopping\) listening on 127\.0\.0\.1:\d+$/);
    clients.close();
    controller.abort();
    await done;
    // Nothing listens any more: a new client cannot connect.
    const again = katibClients(await port);
    const after = await call<object>(again.suggestion, 'ValidateAlgorithmSettings', { experiment: exp });
    expect(after.ok ? 'answered' : after.code).toBe(status.UNAVAILABLE);
    again.close();
  });
});
