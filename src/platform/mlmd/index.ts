/**
 * `hpo-workbench/mlmd`: an experiment's lineage in ML Metadata's data model. `readLineageGraph` builds the MLMD graph
 * (KFP's type names: `system.PipelineRun` context, `system.ContainerExecution` trials, `system.Model`/`Metrics`/
 * `Dataset`/`Artifact` artifacts; INPUT/OUTPUT events, attributions and associations) from the store, `walkLineage`
 * walks it back from a model to its trial, parameters, experiment, data and code version, and `pushLineageGraph`
 * stores it in an MLMD server over gRPC (the optional peers `@grpc/grpc-js` and `@grpc/proto-loader`, loaded only
 * by that call).
 */

export type { PushLineageOptions, PushLineageResult };

import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { PushLineageOptions, PushLineageResult } from './client.ts';
import type { MlmdGraph } from './types.ts';

export { type CodeVersion, readCodeVersion } from './codeVersion.ts';
export {
  dataAnnotation,
  experimentData,
  externalIdPrefix,
  type LineageInput,
  type LineageTrial,
  lineageGraph,
} from './graph.ts';
export {
  type LineageArtifact,
  type LineageReport,
  plainValue,
  type WalkLineageOptions,
  walkLineage,
} from './lineage.ts';
export { type LineageGraphRead, type ReadLineageOptions, readLineageGraph } from './read.ts';
export type {
  MlmdArtifact,
  MlmdArtifactState,
  MlmdAssociation,
  MlmdAttribution,
  MlmdContext,
  MlmdEvent,
  MlmdExecution,
  MlmdExecutionState,
  MlmdGraph,
  MlmdProperties,
  MlmdType,
  MlmdValue,
} from './types.ts';
export { mlmdTypeNames } from './types.ts';

/**
 * Stores `graph` in the ML Metadata server at `opts.address` (see `client.ts`); loads gRPC only now, so importing
 * this subpath does not need it, and says how to install it when it is absent (`unsupported`).
 */
export async function pushLineageGraph(graph: MlmdGraph, opts: PushLineageOptions): Promise<PushLineageResult> {
  let client: typeof import('./client.ts');
  try {
    client = await import('./client.ts');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !/@grpc\//.test((e as Error).message)) throw e;
    throw new WorkbenchError(
      ErrorCode.unsupported,
      'storing lineage in ML Metadata needs the optional packages @grpc/grpc-js and @grpc/proto-loader, which are not installed; run: npm install @grpc/grpc-js @grpc/proto-loader',
      { cause: e },
    );
  }
  return client.pushLineageGraph(graph, opts);
}
