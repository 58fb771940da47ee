/**
 * Parameter constraints (`spec.parameterConstraints`, an hpo-workbench extension): boolean expressions over the
 * parameters that every issued trial satisfies. Algorithms that declare `capabilities.constraints` use
 * {@link feasibilityOf} inside their candidate generation; the controller filters the others' proposals.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { type CompiledExpression, compileExpression, loadedParser, type ValueType } from './expression.ts';
import type { Assignment, SearchSpace } from './space.ts';

/** One constraint as the request carries it: plain data (it crosses the worker). */
export interface ParameterConstraint {
  /** A boolean expression over parameter names, e.g. `x0 + x1 <= 1`. */
  readonly expression: string;
}

/** Draws an algorithm makes for one feasible point before it gives up (see {@link infeasibleError}). */
export const maxInfeasibleDraws = 1000;

/** Checks assignments against every constraint of a request. */
export interface Feasibility {
  readonly constraints: readonly ParameterConstraint[];
  /** Whether `params` satisfies every constraint. */
  feasible(params: Assignment): boolean;
  /** The first constraint `params` violates, or undefined. */
  violated(params: Assignment): ParameterConstraint | undefined;
}

/** The value type of each parameter of `space` as an expression sees it (categorical values are strings). */
export function parameterTypes(space: SearchSpace): Map<string, ValueType> {
  return new Map(space.map((p) => [p.name, p.domain.kind === 'categorical' ? 'string' : 'number']));
}

/**
 * Compiles a request's constraints; undefined when there are none, so an unconstrained search pays nothing. Needs
 * mathjs loaded (`loadParser()`), which whoever calls an algorithm with constraints does first (the suggestion
 * worker, the testing harness), so that `suggest` stays synchronous. A constraint that does not compile is the
 * spec's to refuse; here it throws.
 */
export function feasibilityOf(
  space: SearchSpace,
  constraints: readonly ParameterConstraint[] | undefined,
): Feasibility | undefined {
  if (constraints === undefined || constraints.length === 0) return undefined;
  const parse = loadedParser();
  const types = parameterTypes(space);
  const compiled: CompiledExpression[] = constraints.map((c) => {
    const r = compileExpression(parse, c.expression, types);
    if ('problem' in r || r.expression.type !== 'boolean') {
      throw new WorkbenchError(
        ErrorCode.invalidSpec,
        `parameter constraint '${c.expression}' is not a valid condition: ${'problem' in r ? r.problem.message : 'it is not true/false'}`,
      );
    }
    return r.expression;
  });
  const violated = (params: Assignment): ParameterConstraint | undefined => {
    const i = compiled.findIndex((e) => e.evaluate(params) !== true);
    return i < 0 ? undefined : constraints[i];
  };
  return { constraints, violated, feasible: (params) => violated(params) === undefined };
}

/**
 * Draws with `draw` until a point satisfies every constraint, up to {@link maxInfeasibleDraws} times; throws
 * {@link infeasibleError} when none did. `draw` must give a new point on each call.
 */
export function drawFeasible(draw: () => Assignment, feasibility: Feasibility, algorithm: string): Assignment {
  let last: Assignment | undefined;
  for (let i = 0; i < maxInfeasibleDraws; i++) {
    const params = draw();
    if (feasibility.feasible(params)) return params;
    last = params;
  }
  throw infeasibleError(algorithm, maxInfeasibleDraws, feasibility.violated(last!) ?? feasibility.constraints[0]!);
}

/**
 * The error that ends an experiment whose constraints leave (nearly) nothing of the search space: it names the
 * constraint the last proposal violated and what to change.
 */
export function infeasibleError(algorithm: string, proposals: number, constraint: ParameterConstraint): WorkbenchError {
  return new WorkbenchError(
    ErrorCode.algorithmFailed,
    `algorithm '${algorithm}' found no point satisfying the parameter constraints in ${proposals} proposals in a row; ` +
      `the last one violated '${constraint.expression}'. Fix: loosen that constraint or narrow the parameters' ` +
      'feasibleSpace to where it holds (the constraints may leave almost none of the search space).',
  );
}
