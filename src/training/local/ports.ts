/**
 * Free TCP ports for the replicas of a locally run job. On a cluster every pod has its own address and the
 * template's port (23456, 2222, ...) is fine; here all replicas of all parallel trials share 127.0.0.1, so each
 * replica gets a port the kernel reports free (bind port 0).
 */
import { createServer, type Server } from 'node:net';

/** Ports handed out recently, so that two trials starting together never get the same one. */
const recent: number[] = [];
const recentSet = new Set<number>();
const RECENT_LIMIT = 4096;

function remember(port: number): void {
  recent.push(port);
  recentSet.add(port);
  while (recent.length > RECENT_LIMIT) recentSet.delete(recent.shift()!);
}

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

/**
 * `count` distinct ports that are free on `host` right now (held open together while picked, so they differ),
 * skipping ports this process handed out recently. A port can still be taken by another program before the
 * replica binds it; the replica then fails to start its server and the trial fails with its log tail.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    // A bounded number of attempts: the kernel rarely repeats a port at once, so skips are few.
    for (let attempts = 0; ports.length < count && attempts < count + 64; attempts++) {
      const server = await listen(host);
      held.push(server);
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      if (port > 0 && !recentSet.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(held.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
  if (ports.length < count) throw new Error(`could not find ${count} free TCP ports on ${host}`);
  for (const p of ports) remember(p);
  return ports;
}
