/**
 * Derived metrics (`spec.objective.derivedMetrics`): numbers the controller computes from a trial's collected
 * metrics when the trial ends, before judging it, so a derived objective is judged, stored and ranked like a
 * reported one, whatever collector delivered the inputs.
 */
import { ErrorCode, WorkbenchError } from '../common/errors.ts';
import { type CompiledExpression, compileExpression, loadParser } from '../search/expression.ts';
import type { ExperimentConfig } from '../spec/config.ts';
import type { TrialMetrics } from '../trial/trialMetrics.ts';

/** The compiled derived metrics of one experiment; {@link DerivedMetrics.apply} adds their values to a trial. */
export class DerivedMetrics {
  private constructor(
    private readonly list: readonly { readonly name: string; readonly expression: CompiledExpression }[],
    private readonly strategies: ExperimentConfig['metricStrategies'],
  ) {}

  /** Compiles the experiment's derived metrics (loading mathjs); undefined when it has none. */
  static async of(config: ExperimentConfig): Promise<DerivedMetrics | undefined> {
    const defs = config.derivedMetrics ?? [];
    if (defs.length === 0) return undefined;
    const parse = await loadParser();
    const derived = new Set(defs.map((d) => d.name));
    const inputs = new Map(config.metricNames.filter((n) => !derived.has(n)).map((n) => [n, 'number' as const]));
    const list = defs.map((d) => {
      const r = compileExpression(parse, d.expression, inputs);
      // Validation refused these already; a stored spec edited by hand could still hold one.
      if ('problem' in r) {
        throw new WorkbenchError(ErrorCode.invalidSpec, `derived metric ${d.name}: ${r.problem.message}`);
      }
      return { name: d.name, expression: r.expression };
    });
    return new DerivedMetrics(list, config.metricStrategies);
  }

  /**
   * Computes each derived metric from its inputs' values (each by its metric strategy, as the objective is) and
   * records it on `metrics`; one with an input that has no value gets none, with the reason.
   */
  apply(metrics: TrialMetrics): void {
    for (const { name, expression } of this.list) {
      // No prototype: a metric named like an Object.prototype member is just a name here.
      const scope: Record<string, number> = Object.create(null);
      const missing: string[] = [];
      for (const input of expression.names) {
        const v = metrics.valueOf(input, this.strategies[input] ?? 'latest');
        if (v === undefined) missing.push(input);
        else scope[input] = v;
      }
      if (missing.length > 0) {
        metrics.addDerived(
          name,
          undefined,
          `${missing.join(', ')} ${missing.length > 1 ? 'were' : 'was'} never reported as a number`,
        );
        continue;
      }
      const value = expression.evaluate(scope) as number;
      if (Number.isFinite(value)) metrics.addDerived(name, value);
      else metrics.addDerived(name, undefined, `${expression.text} is ${value} for ${JSON.stringify(scope)}`);
    }
  }
}
