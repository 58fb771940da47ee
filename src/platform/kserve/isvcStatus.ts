/**
 * What an InferenceService's `status` says about a rollout: whether KServe's controller has seen the spec we applied
 * (`observedGeneration`), its `Ready` condition, a failed condition with KServe's reason and message, and the
 * predictor's traffic split between revisions (Knative mode; raw deployments report no revisions).
 */
import { isRecord } from '../../spec/read.ts';

/** One status condition. */
export interface IsvcCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A share of the predictor's traffic. */
export interface IsvcTraffic {
  readonly revision?: string;
  readonly percent: number;
  readonly latest: boolean;
}

/** The rollout as the status tells it. */
export interface IsvcStatus {
  /** The controller has reconciled the generation we applied (earlier conditions describe an older spec). */
  readonly current: boolean;
  readonly ready?: IsvcCondition;
  /** `Ready`, `PredictorReady` or `LatestDeploymentReady` with status False: the rollout failed, and why. */
  readonly failure?: IsvcCondition;
  readonly traffic: readonly IsvcTraffic[];
  /** The newest revision is the newest ready one (true where KServe reports no revisions). */
  readonly latestIsReady: boolean;
  readonly latestReadyRevision?: string;
  readonly previousRolledoutRevision?: string;
  readonly url?: string;
}

const failing = ['Ready', 'PredictorReady', 'LatestDeploymentReady'];

function condition(c: unknown): IsvcCondition | undefined {
  if (!isRecord(c) || typeof c.type !== 'string' || typeof c.status !== 'string') return undefined;
  return {
    type: c.type,
    status: c.status,
    ...(typeof c.reason === 'string' && c.reason !== '' ? { reason: c.reason } : {}),
    ...(typeof c.message === 'string' && c.message !== '' ? { message: c.message } : {}),
  };
}

/** Reads the status of `isvc` for the rollout of `generation`. */
export function readIsvcStatus(isvc: Record<string, unknown>, generation: number): IsvcStatus {
  const status = isRecord(isvc.status) ? isvc.status : {};
  const conditions = (Array.isArray(status.conditions) ? status.conditions : [])
    .map(condition)
    .filter((c): c is IsvcCondition => c !== undefined);
  const ready = conditions.find((c) => c.type === 'Ready');
  const failure = failing
    .map((t) => conditions.find((c) => c.type === t && c.status === 'False'))
    .find((c) => c !== undefined);
  const components = isRecord(status.components) ? status.components : {};
  const predictor = isRecord(components.predictor) ? components.predictor : {};
  const traffic = (Array.isArray(predictor.traffic) ? predictor.traffic : []).filter(isRecord).map((t) => ({
    ...(typeof t.revisionName === 'string' ? { revision: t.revisionName } : {}),
    percent: typeof t.percent === 'number' ? t.percent : 0,
    latest: t.latestRevision === true,
  }));
  const created = predictor.latestCreatedRevision;
  const readyRevision = predictor.latestReadyRevision;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const url = str(status.url);
  const previous = str(predictor.previousRolledoutRevision);
  return {
    current: typeof status.observedGeneration === 'number' && status.observedGeneration >= generation,
    ...(ready === undefined ? {} : { ready }),
    ...(failure === undefined ? {} : { failure }),
    traffic,
    latestIsReady: created === undefined || created === readyRevision,
    ...(str(readyRevision) === undefined ? {} : { latestReadyRevision: String(readyRevision) }),
    ...(previous === undefined ? {} : { previousRolledoutRevision: previous }),
    ...(url === undefined ? {} : { url }),
  };
}
