import { describe, expect, it } from 'vitest';
import { freeMemberName, maxNameLength, memberName } from '../../../src/search/pbt/index.ts';

const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe('pbt trial names', () => {
  it('are <experiment>-g<generation>-<slot>, with -r<n> for retries', () => {
    expect(memberName('mnist', { generation: 0, slot: 3, retry: 0 })).toBe('mnist-g0-3');
    expect(memberName('mnist', { generation: 12, slot: 0, retry: 2 })).toBe('mnist-g12-0-r2');
  });

  it('are DNS-1123 labels of at most 63 characters, and unique, for any experiment name', () => {
    const long = `My_Experiment.${'x'.repeat(80)}`;
    for (const experiment of ['Upper_Case.v2', '--edge--', '___', long, `${long}-other`]) {
      const names = new Set<string>();
      for (let generation = 0; generation < 120; generation += 7) {
        for (let slot = 0; slot < 40; slot += 3) {
          for (const retry of [0, 1, 12]) {
            const name = memberName(experiment, { generation, slot, retry });
            expect(name, name).toMatch(dns1123);
            expect(name.length).toBeLessThanOrEqual(maxNameLength);
            names.add(name);
          }
        }
      }
      expect(names.size).toBe(18 * 14 * 3);
    }
    expect(memberName('Upper_Case.v2', { generation: 1, slot: 2, retry: 0 })).toBe('upper-case-v2-g1-2');
    // Two long names that differ only after the cut still get different prefixes.
    const a = memberName(long, { generation: 0, slot: 0, retry: 0 });
    const b = memberName(`${long}-other`, { generation: 0, slot: 0, retry: 0 });
    expect(a).not.toBe(b);
  });

  it('skip names that are already taken', () => {
    const taken = new Set(['e-g1-2', 'e-g1-2-r1']);
    expect(freeMemberName('e', { generation: 1, slot: 2, retry: 0 }, taken)).toBe('e-g1-2-r2');
    expect(freeMemberName('e', { generation: 1, slot: 3, retry: 0 }, taken)).toBe('e-g1-3');
  });
});
