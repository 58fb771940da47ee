import type { Assignment, SearchSpace } from '../search/space.ts';

/** A test function to optimise: its space, its value at an assignment, and its known minimum. */
export interface Benchmark {
  readonly name: string;
  readonly space: SearchSpace;
  /** The function value (to be minimised). */
  readonly f: (params: Assignment) => number;
  readonly minimum: number;
}

function num(params: Assignment, name: string): number {
  const v = params[name];
  if (typeof v !== 'number') throw new TypeError(`parameter ${name} should be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** The Branin–Hoo function on x1 ∈ [-5, 10], x2 ∈ [0, 15]; three global minima of 0.397887. */
export const branin: Benchmark = {
  name: 'branin',
  space: [
    { name: 'x1', domain: { kind: 'double', min: -5, max: 10, scale: 'uniform' } },
    { name: 'x2', domain: { kind: 'double', min: 0, max: 15, scale: 'uniform' } },
  ],
  f: (p) => {
    const x1 = num(p, 'x1');
    const x2 = num(p, 'x2');
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
  minimum: 0.397887,
};

/** A shifted 2-D sphere on [-5, 5]²: (x - 1)² + (y + 2)², minimum 0 at (1, -2). */
export const sphere: Benchmark = {
  name: 'sphere',
  space: [
    { name: 'x', domain: { kind: 'double', min: -5, max: 5, scale: 'uniform' } },
    { name: 'y', domain: { kind: 'double', min: -5, max: 5, scale: 'uniform' } },
  ],
  f: (p) => (num(p, 'x') - 1) ** 2 + (num(p, 'y') + 2) ** 2,
  minimum: 0,
};

/** A space with every kind of domain: doubles (uniform and log), an int with a step, a categorical and a discrete list. */
export const mixedSpace: SearchSpace = [
  { name: 'lr', domain: { kind: 'double', min: 1e-4, max: 0.1, scale: 'logUniform' } },
  { name: 'momentum', domain: { kind: 'double', min: 0.5, max: 0.99, scale: 'uniform' } },
  { name: 'layers', domain: { kind: 'int', min: 2, max: 10, step: 2, scale: 'uniform' } },
  { name: 'units', domain: { kind: 'int', min: 8, max: 512, step: 1, scale: 'logUniform' } },
  { name: 'optimizer', domain: { kind: 'categorical', values: ['sgd', 'adam', 'rmsprop'] } },
  { name: 'batch', domain: { kind: 'discrete', values: [16, 32, 64, 128] } },
];

/** {@link mixedSpace} with a step on every double, for algorithms that need one (grid). */
export const steppedMixedSpace: SearchSpace = mixedSpace.map((p) => {
  if (p.name === 'lr')
    return { name: 'lr', domain: { kind: 'double', min: 0.001, max: 0.1, step: 0.001, scale: 'logUniform' } };
  if (p.name === 'momentum')
    return { name: 'momentum', domain: { kind: 'double', min: 0.5, max: 0.99, step: 0.01, scale: 'uniform' } };
  return p;
});

/** A smooth objective over {@link mixedSpace} (minimise; best near lr 0.01, momentum 0.9, 6 layers, 64 units, adam, batch 32). */
export function mixedObjective(p: Assignment): number {
  const categorical = p.optimizer === 'adam' ? 0 : p.optimizer === 'rmsprop' ? 0.3 : 0.6;
  return (
    (Math.log10(num(p, 'lr')) + 2) ** 2 +
    (num(p, 'momentum') - 0.9) ** 2 * 4 +
    (num(p, 'layers') - 6) ** 2 / 16 +
    Math.abs(Math.log2(num(p, 'units')) - 6) / 3 +
    categorical +
    Math.abs(Math.log2(num(p, 'batch')) - 5) / 4
  );
}
