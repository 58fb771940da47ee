import type { Issue } from '../../common/issue.ts';
import { type CurvePoint, curveOf, isBetter } from '../earlyStopping/curve.ts';
import { decideEarlyStop } from '../earlyStopping/rules.ts';
import { throwIfInvalid } from '../earlyStopping/settings.ts';
import type {
  EarlyStoppingAlgorithm,
  EarlyStoppingRequest,
  EarlyStoppingRule,
  ObjectiveSpec,
  Settings,
  StopDecision,
  TrialView,
  ValidationContext,
} from '../types.ts';
import { rungsCrossed } from './rungs.ts';
import { type AshaSettings, parseAshaSettings } from './settings.ts';

/** Where the stopper's settings live in the Experiment, for issue paths. */
export interface AshaStopperOptions {
  /** `spec.earlyStopping` (default) for `earlyStopping.algorithmName: asha`; `spec.algorithm` when paired. */
  readonly settingsAt?: 'spec.earlyStopping' | 'spec.algorithm';
}

/**
 * The rung rule of asynchronous successive halving (Li et al. 2020), stop-based as in Ray Tune's ASHA: when a
 * running trial's latest report takes it to or past a rung step r_min·eta^k (< R), it continues only if its
 * value there ranks within the top ⌈n/eta⌉ of the n values recorded at that rung so far, its own included —
 * so the first trial at a rung always continues. No waiting for a bracket to fill: each decision uses
 * whatever has reached the rung by then. Stateless: the rung records are re-read from the trials' curves.
 * Declarative like every early-stopping algorithm: the rung decision is an {@link EarlyStoppingRule} on the
 * latest value (`of: 'latest'`, which Katib's rules cannot say, so ASHA is not served to Katib).
 */
export class AshaStopper implements EarlyStoppingAlgorithm {
  readonly name: string = 'asha';
  readonly #settingsAt: string;

  constructor(options: AshaStopperOptions = {}) {
    this.#settingsAt = options.settingsAt ?? 'spec.earlyStopping';
  }

  /** Checks eta, min_resource/grace_period, max_resource, resource_name and random_state. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    return parseAshaSettings(settings, ctx).issues.map((i) => ({
      ...i,
      path: i.path.replace(/^spec\.algorithm/, this.#settingsAt),
    }));
  }

  /**
   * The rule of the rung `req.trial`'s latest report decides at: "latest value strictly worse than the cutoff", the
   * cutoff being the value that keeps it out of the top ⌈n/eta⌉ at that rung. A report that jumps over several rungs
   * is judged at each in turn, so the rule is that of the first rung that stops it, else of the last one. No rule
   * between rungs (and at R or beyond), so such reports never stop a trial; none for a trial without reports.
   */
  rules(req: EarlyStoppingRequest): EarlyStoppingRule[] {
    const { values, issues } = parseAshaSettings(req.settings);
    throwIfInvalid(this.name, issues);
    const own = curveOf(req.trial);
    const latest = own[own.length - 1];
    if (latest === undefined) return [];
    const before = own.slice(0, -1).reduce((m, p) => Math.max(m, p.step), Number.NEGATIVE_INFINITY);
    let last: EarlyStoppingRule | undefined;
    for (const rung of rungsCrossed(values, before, latest.step)) {
      last = ruleAtRung(req, values, rung, latest.value, own.length);
      if (isBetter(req.objective.type, last.value, latest.value)) break;
    }
    return last === undefined ? [] : [last];
  }

  /** The verdict on `req.trial`'s latest report: its {@link rules} evaluated by `decideEarlyStop`. */
  shouldStop(req: EarlyStoppingRequest): StopDecision {
    return decideEarlyStop(this, req);
  }
}

/**
 * The rule at `rung` for a trial whose value there is `value` (its latest report, the `reports`-th). With n others
 * recorded, the trial ranks 1 + (others strictly better), and continues when that is ≤ keep = ⌈(n+1)/eta⌉: so it
 * stops exactly when its value is strictly worse than the keep-th best of the others. When keep > n (the first
 * trial at a rung) there is no such value and the rule's is ±Infinity, which nothing is worse than.
 */
function ruleAtRung(
  req: EarlyStoppingRequest,
  settings: AshaSettings,
  rung: number,
  value: number,
  reports: number,
): EarlyStoppingRule {
  const { type, metricName } = req.objective;
  const others = recordedAt(req.trials, req.trial.name, rung).sort((a, b) => order(type, a, b));
  const recorded = others.length + 1;
  // Ties count in the trial's favour: only strictly better values push it down.
  const rank = 1 + others.filter((v) => isBetter(type, v, value)).length;
  const keep = Math.ceil(recorded / settings.eta);
  const worst = type === 'minimize' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  const threshold = others[keep - 1] ?? worst;
  const cutoff = [...others, value].sort((a, b) => order(type, a, b))[keep - 1] as number;
  return {
    name: metricName,
    value: threshold,
    comparison: type === 'minimize' ? 'GREATER' : 'LESS',
    startStep: reports,
    of: 'latest',
    reason:
      `${metricName} ${value} at rung step ${rung} ranks ${rank} of ${recorded}; ` +
      `only the top ${keep} (1/${settings.eta}) continue`,
    explain: { rung, value, rank, keep, recorded, cutoff, eta: settings.eta },
  };
}

/** Best-first comparator for `Array.prototype.sort`. */
function order(type: ObjectiveSpec['type'], a: number, b: number): number {
  return type === 'minimize' ? a - b : b - a;
}

/**
 * The values other trials recorded at `rung`, in any state: a trial's value at a rung is its first report at a
 * step ≥ rung (as Ray records a milestone at the first result that reaches it), so curves with explicit,
 * sparser steps still meet every rung they passed.
 */
function recordedAt(trials: readonly TrialView[], self: string, rung: number): number[] {
  const out: number[] = [];
  for (const t of trials) {
    if (t.name === self) continue;
    const at = valueAt(curveOf(t), rung);
    if (at !== undefined) out.push(at);
  }
  return out;
}

function valueAt(curve: readonly CurvePoint[], rung: number): number | undefined {
  return curve.find((p) => p.step >= rung)?.value;
}
