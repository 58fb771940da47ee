// When a worker reads the leases for expired ones (src/experiment/leaseLook.ts): only when its last look says one
// may have expired, never missing one.
import { describe, expect, it } from 'vitest';
import { mayHaveExpired } from '../../src/experiment/leaseLook.ts';

const terms = { leaseMs: 3000, heartbeatMs: 2000 };

describe('mayHaveExpired', () => {
  it('is true before the first look', () => {
    expect(mayHaveExpired(undefined, 0, terms)).toBe(true);
  });

  it('is false while the earliest expiry the look found is ahead and the look is recent', () => {
    const look = { polledAt: 10_000, expireAt: 12_000 };
    expect(mayHaveExpired(look, 11_000, terms)).toBe(false);
    expect(mayHaveExpired(look, 11_999, terms)).toBe(false);
    // No lease at all: nothing to reclaim until a lease claimed since could have run out.
    expect(mayHaveExpired({ polledAt: 10_000, expireAt: undefined }, 11_500, terms)).toBe(false);
  });

  it('is true once the earliest expiry has passed', () => {
    expect(mayHaveExpired({ polledAt: 10_000, expireAt: 10_500 }, 10_501, terms)).toBe(true);
  });

  it('does not trust a look older than a lease length less a round (a lease claimed since may have run out)', () => {
    // Lease 3 s, a round is half a heartbeat (1 s): a look 2 s old or older is read again.
    expect(mayHaveExpired({ polledAt: 10_000, expireAt: undefined }, 11_999, terms)).toBe(false);
    expect(mayHaveExpired({ polledAt: 10_000, expireAt: undefined }, 12_000, terms)).toBe(true);
    expect(mayHaveExpired({ polledAt: 10_000, expireAt: 60_000 }, 12_000, terms)).toBe(true);
  });
});
