// Lock leases: a controller on another host (a container restarted under a new hostname) does not block an
// experiment for ever; its lease expires and anyone may take over.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LockTable, lockStatus } from '../../src/store/locks.ts';
import { migrate, migrations } from '../../src/store/migrations.ts';

/** Two lock tables on one database, as two controllers on two hosts, sharing a clock the test moves. */
function twoHosts(leaseMs = 30_000) {
  const db = new Database(':memory:');
  migrate(db, 'mem');
  let t = Date.parse('2026-01-01T00:00:00Z');
  const now = (): Date => new Date(t);
  const a = new LockTable(db, { host: 'host-a', now, leaseMs });
  const b = new LockTable(db, { host: 'host-b', now, leaseMs });
  return { a, b, now, advance: (ms: number) => (t += ms) };
}

describe('LockTable leases', () => {
  it('refuses another host while the lease runs, then lets it take over once the lease expired', () => {
    const { a, b, advance } = twoHosts();
    expect(a.acquire('e', 1111)).toBe(true);
    expect(a.get('e')).toMatchObject({
      host: 'host-a',
      pid: 1111,
      heartbeatAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-01T00:00:30.000Z',
    });
    advance(29_999);
    expect(b.acquire('e', 2222)).toBe(false);
    advance(1);
    expect(b.acquire('e', 2222)).toBe(true);
    expect(b.get('e')).toMatchObject({ host: 'host-b', pid: 2222, expiresAt: '2026-01-01T00:01:00.000Z' });
    // The old holder learns at its next heartbeat that it lost the lock, and must stop.
    expect(a.renew('e', 1111)).toBe(false);
    expect(b.renew('e', 2222)).toBe(true);
  });

  it('a heartbeat keeps the lease alive past its first expiry', () => {
    const { a, b, advance } = twoHosts();
    expect(a.acquire('e', 1111)).toBe(true);
    for (let i = 0; i < 10; i++) {
      advance(10_000);
      expect(a.renew('e', 1111)).toBe(true);
      expect(b.acquire('e', 2222)).toBe(false);
    }
    expect(a.get('e')?.heartbeatAt).toBe('2026-01-01T00:01:40.000Z');
  });

  it('lockStatus says held, expired or none from the lease alone for another host', () => {
    const { a, now, advance } = twoHosts();
    expect(lockStatus(a.get('e'), now(), 'host-b')).toEqual({ state: 'none' });
    a.acquire('e', 1111);
    expect(lockStatus(a.get('e'), now(), 'host-b').state).toBe('held');
    advance(30_000);
    expect(lockStatus(a.get('e'), now(), 'host-b').state).toBe('expired');
  });

  it('forceRemove removes anyone’s lock and returns who held it', () => {
    const { a, b } = twoHosts();
    a.acquire('e', 1111);
    expect(b.forceRemove('e')).toMatchObject({ host: 'host-a', pid: 1111 });
    expect(b.get('e')).toBeUndefined();
    expect(b.forceRemove('e')).toBeUndefined();
    expect(a.renew('e', 1111)).toBe(false);
  });
});

describe('locks from before leases', () => {
  it('survive the migration without a lease; another host cannot tell and does not take them over', () => {
    const db = new Database(':memory:');
    migrate(db, 'mem', migrations.slice(0, 2));
    db.prepare("INSERT INTO locks VALUES ('e', 4242, 'old-host', '2024-01-01T00:00:00Z')").run();
    migrate(db, 'mem');
    const here = new LockTable(db, { host: 'new-host' });
    const lock = here.get('e');
    expect(lock).toEqual({ experiment: 'e', pid: 4242, host: 'old-host', acquiredAt: '2024-01-01T00:00:00Z' });
    expect(lockStatus(lock, new Date(), 'new-host').state).toBe('unknown');
    expect(here.acquire('e', 1)).toBe(false);
  });
});
