import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { Issue } from '../../common/issue.ts';
import { derive, Rng } from '../rng.ts';
import type {
  AlgorithmCapabilities,
  SearchAlgorithm,
  Settings,
  SuggestRequest,
  SuggestResult,
  TrialView,
  ValidationContext,
} from '../types.ts';
import { type EnasControllerShape, type EnasWeights, initialWeights, runController } from './enasController.ts';
import { type Architecture, enasOperations, enasTrialParameters } from './enasEncoding.ts';
import { type EnasSettings, enasSettings } from './enasSettings.ts';
import {
  type AdamState,
  decodeFloats,
  encodeFloats,
  flattenWeights,
  freshAdam,
  loadWeights,
  type ReinforceSample,
  trainController,
  weightCount,
} from './enasTraining.ts';
import { validateEnas } from './enasValidation.ts';
import { Tape } from './tape.ts';

/**
 * The persisted controller (the algorithm state): weights, Adam moments and step, the reward baseline and the names
 * of the trials already trained on. JSON-safe; the float arrays are base64 float32 (see encodeFloats), and every
 * call starts from the decoded state, so a resumed run continues exactly. At Katib's default hidden size 64 it holds
 * 41,344 + 128·K weights for K operation ids, three arrays of them (weights, Adam's two moments): 16 bytes of text
 * per weight, about 0.88 MB for Katib's enas-cpu example (K = 106), plus the trial names.
 */
export interface EnasState {
  readonly algorithm: 'enas';
  readonly version: 1;
  readonly hidden: number;
  readonly operations: number;
  readonly layers: number;
  readonly weights: string;
  readonly adamM: string;
  readonly adamV: string;
  readonly adamStep: number;
  /** The moving-average reward; null until the first reward (then it starts at that reward). */
  readonly baseline: number | null;
  /** Trials whose outcome has been used (trained on, or skipped for good), in the order they were used. */
  readonly trained: readonly string[];
}

/** The controller as one suggest call holds it. */
interface Controller {
  readonly weights: EnasWeights;
  readonly adam: AdamState;
  baseline: number | null;
  readonly trained: string[];
}

/** Katib's `architecture` text of a trial, parsed and checked against the space; undefined when it does not fit. */
export function parseArchitecture(text: unknown, shape: EnasControllerShape): Architecture | undefined {
  if (typeof text !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== shape.layers) return undefined;
  const ok = value.every(
    (layer: unknown, l) =>
      Array.isArray(layer) &&
      layer.length === l + 1 &&
      Number.isInteger(layer[0]) &&
      layer[0] >= 0 &&
      layer[0] < shape.operations &&
      layer.slice(1).every((bit: unknown) => bit === 0 || bit === 1),
  );
  return ok ? (value as Architecture) : undefined;
}

function restore(state: unknown, shape: EnasControllerShape, seed: number): Controller {
  const weights = initialWeights(shape, new Rng(derive(seed, 'enas', 'init')));
  if (state === undefined || state === null) {
    return { weights, adam: freshAdam(weights), baseline: null, trained: [] };
  }
  const s = state as Partial<EnasState>;
  const n = weightCount(weights);
  const same = s.algorithm === 'enas' && s.hidden === shape.hidden && s.operations === shape.operations;
  const flat = same && s.layers === shape.layers ? decodeFloats(String(s.weights), n) : undefined;
  const m = decodeFloats(String(s.adamM), n);
  const v = decodeFloats(String(s.adamV), n);
  if (flat === undefined || m === undefined || v === undefined || !Array.isArray(s.trained)) {
    // A state from another controller shape cannot be continued; starting over silently would hide that.
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      'enas: the stored algorithm state is not a controller of this experiment’s shape (hidden size, operations, layers)',
    );
  }
  loadWeights(weights, flat);
  return {
    weights,
    adam: { m, v, step: Number(s.adamStep) },
    baseline: typeof s.baseline === 'number' ? s.baseline : null,
    trained: [...s.trained],
  };
}

function stateOf(c: Controller, shape: EnasControllerShape): EnasState {
  return {
    algorithm: 'enas',
    version: 1,
    hidden: shape.hidden,
    operations: shape.operations,
    layers: shape.layers,
    weights: encodeFloats(flattenWeights(c.weights)),
    adamM: encodeFloats(c.adam.m),
    adamV: encodeFloats(c.adam.v),
    adamStep: c.adam.step,
    baseline: c.baseline,
    trained: c.trained,
  };
}

/**
 * The reward of a finished trial, or undefined when it teaches nothing: Succeeded and EarlyStopped trials give
 * their objective (negated for minimize; an early-stopped trial's value is what it reached before it was judged
 * worse than its peers, so it counts as it is); Failed, Killed and MetricsUnavailable trials are skipped, since a
 * crash or a lost metric says nothing reliable about the architecture.
 */
export function trialReward(t: TrialView, type: 'minimize' | 'maximize'): number | undefined {
  if (t.state !== 'Succeeded' && t.state !== 'EarlyStopped') return undefined;
  if (t.objective === undefined || !Number.isFinite(t.objective)) return undefined;
  return type === 'minimize' ? -t.objective : t.objective;
}

/**
 * The REINFORCE samples of the finished trials not used yet, in creation order; records them as used and moves the
 * baseline. Each advantage is the trial's own reward (+ entropy bonus) minus the baseline before it.
 */
function newSamples(req: SuggestRequest, c: Controller, shape: EnasControllerShape, s: EnasSettings) {
  const used = new Set(c.trained);
  const samples: ReinforceSample[] = [];
  for (const t of req.trials) {
    if (used.has(t.name) || t.state === 'Pending' || t.state === 'Running') continue;
    c.trained.push(t.name);
    const reward = trialReward(t, req.objective.type);
    const architecture = parseArchitecture(t.params.architecture, shape);
    if (reward === undefined || architecture === undefined) continue;
    // Katib adds the entropy of the sampled decisions to the reward (no gradient through it).
    const entropy = runController(new Tape(), c.weights, shape, { architecture }).entropy;
    const total = reward + (s.entropyWeight ?? 0) * entropy;
    // Katib starts the baseline at 0, which with decay 0.999 and accuracies near 1 makes every early advantage
    // large and positive; starting at the first reward avoids that.
    const baseline = c.baseline ?? total;
    samples.push({ architecture, advantage: total - baseline });
    c.baseline = s.baselineDecay * baseline + (1 - s.baselineDecay) * total;
  }
  return samples;
}

/**
 * Katib's `enas`: an LSTM controller chooses each trial's architecture and learns by REINFORCE from each trial's
 * own objective. Every call first trains on the trials that finished since the last one (`controller_train_steps`
 * Adam steps), then samples `count` architectures. Everything it needs to continue is in `state`.
 */
export class EnasSearch implements SearchAlgorithm {
  readonly name: string = 'enas';
  readonly capabilities: AlgorithmCapabilities = { nas: true };

  /** Katib's ENAS checks: settings names and ranges, and the nasConfig it needs. */
  validate(settings: Settings, ctx: ValidationContext): Issue[] {
    return validateEnas(settings, ctx);
  }

  /** Trains on newly finished trials, then samples `count` architectures as Katib's trial parameters. */
  suggest(req: SuggestRequest): SuggestResult {
    if (req.nas === undefined) throw new WorkbenchError(ErrorCode.invalidArgument, 'enas needs spec.nasConfig');
    const settings = enasSettings(req.settings);
    const operations = enasOperations(req.nas);
    const shape: EnasControllerShape = {
      hidden: settings.hiddenSize,
      operations: operations.length,
      layers: req.nas.numLayers ?? 0,
      skipTarget: settings.skipTarget,
      ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
      ...(settings.tanhConst === undefined ? {} : { tanhConst: settings.tanhConst }),
    };
    if (shape.layers < 1 || shape.operations < 1) {
      throw new WorkbenchError(ErrorCode.invalidArgument, 'enas needs graphConfig.numLayers ≥ 1 and an operation');
    }
    const controller = restore(req.state, shape, req.seed);
    const samples = newSamples(req, controller, shape, settings);
    trainController(controller.weights, shape, controller.adam, samples, {
      learningRate: settings.learningRate,
      trainSteps: settings.trainSteps,
      ...(settings.skipWeight === undefined ? {} : { skipWeight: settings.skipWeight }),
    });
    const suggestions = [];
    for (let i = 0; i < req.count; i++) {
      // The n-th trial's draw depends on (seed, n) only, not on how the requests were batched.
      const rng = new Rng(derive(req.seed, 'enas', req.trials.length + i));
      const pass = runController(new Tape(), controller.weights, shape, { rng });
      suggestions.push({
        params: enasTrialParameters(req.nas, operations, pass.architecture),
        explain: {
          algorithm: 'enas',
          logProb: pass.logProb.value[0]!,
          baseline: controller.baseline,
          controllerSteps: controller.adam.step,
        },
      });
    }
    return { suggestions, state: stateOf(controller, shape) };
  }
}
