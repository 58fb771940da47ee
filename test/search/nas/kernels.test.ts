import { describe, expect, it } from 'vitest';
import { decodeFloats, encodeFloats } from '../../../src/search/nas/enasTraining.ts';
import { addMatVec, addOuterProducts, addVecMat } from '../../../src/search/nas/kernels.ts';
import { Rng } from '../../../src/search/rng.ts';

/** The blocked loops against the textbook ones, on sizes that leave remainders after the blocks of four. */

function random(n: number, rng: Rng, zeros = false): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (zeros && i % 3 === 0 ? 0 : rng.uniform(-1, 1)));
}

describe('controller kernels', () => {
  for (const [rows, cols] of [
    [7, 5],
    [8, 12],
    [1, 3],
  ] as const) {
    it(`x·W, W·d and Σ xᵀd match the plain loops (${rows} × ${cols})`, () => {
      const rng = new Rng(3);
      const w = random(rows * cols, rng);
      const x = random(rows, rng, true);
      const d = random(cols, rng);
      const out = random(cols, rng);
      const expected = Float64Array.from(out);
      for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) expected[j]! += x[i]! * w[i * cols + j]!;
      addVecMat(out, x, w, rows, cols);
      for (let j = 0; j < cols; j++) expect(out[j]).toBeCloseTo(expected[j]!, 12);

      const gx = random(rows, rng);
      const gxExpected = Float64Array.from(gx);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) gxExpected[i]! += w[i * cols + j]! * d[j]!;
      addMatVec(gx, w, d, rows, cols);
      for (let i = 0; i < rows; i++) expect(gx[i]).toBeCloseTo(gxExpected[i]!, 12);

      const xs = Array.from({ length: 6 }, () => random(rows, rng, true));
      const ds = Array.from({ length: 6 }, () => random(cols, rng));
      const g = random(rows * cols, rng);
      const gExpected = Float64Array.from(g);
      for (let t = 0; t < xs.length; t++) {
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) gExpected[i * cols + j]! += xs[t]![i]! * ds[t]![j]!;
      }
      addOuterProducts(g, xs, ds, rows, cols);
      for (let k = 0; k < g.length; k++) expect(g[k]).toBeCloseTo(gExpected[k]!, 12);
    });
  }
});

describe('state floats as base64', () => {
  // 1, 2 and 3 numbers: 4, 8 and 12 bytes, i.e. every remainder of the 3-byte groups.
  for (const n of [0, 1, 2, 3, 100]) {
    it(`encodes ${n} numbers as btoa would and decodes them back`, () => {
      const values = random(n, new Rng(n + 1));
      const text = encodeFloats(values);
      const bytes = new Uint8Array(Float32Array.from(values).buffer);
      expect(text).toBe(btoa(String.fromCharCode(...bytes)));
      expect(decodeFloats(text, n)).toEqual(Float64Array.from(Float32Array.from(values)));
    });
  }
});
