/**
 * KFP's real IR schema, loaded through protobufjs (an optional peer dependency, imported only here and only when
 * a pipeline is validated, so neither `import 'hpo-workbench'` nor building a pipeline loads it).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Root, Type } from 'protobufjs';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

/** The message types a pipeline file is read with. */
export interface KfpSchema {
  /** `ml_pipelines.PipelineSpec`: the IR document. */
  readonly pipelineSpec: Type;
  /** `ml_pipelines.PipelineDeploymentConfig`: what `deploymentSpec` (a Struct in the IR) holds. */
  readonly deploymentConfig: Type;
  /** `ml_pipelines.PlatformSpec`: the optional second document (`platforms: {kubernetes: …}`). */
  readonly platformSpec: Type;
  /** `kfp_kubernetes.KubernetesExecutorConfig`, when the folder has `kubernetes_platform/`. */
  readonly kubernetesExecutorConfig?: Type;
}

type Protobuf = typeof import('protobufjs');

async function protobufjs(): Promise<Protobuf> {
  try {
    const mod = (await import('protobufjs')) as Protobuf & { default?: Protobuf };
    return mod.default ?? mod;
  } catch (e) {
    throw new WorkbenchError(
      ErrorCode.unsupported,
      'checking a KFP pipeline needs the optional package protobufjs, which is not installed; run: npm install protobufjs@8.8.1',
      { cause: e },
    );
  }
}

const cache = new Map<string, Promise<KfpSchema>>();

/**
 * Loads KFP's protos from `protoDir`, a folder laid out as kubeflow/pipelines ships them:
 * `v2alpha1/pipeline_spec.proto` (with `v2alpha1/google/rpc/status.proto`) and, optionally,
 * `kubernetes_platform/kubernetes_executor_config.proto`. Loaded once per folder.
 */
export function loadKfpSchema(protoDir: string): Promise<KfpSchema> {
  const dir = resolve(protoDir);
  let found = cache.get(dir);
  if (found === undefined) {
    found = load(dir);
    cache.set(dir, found);
    found.catch(() => cache.delete(dir));
  }
  return found;
}

async function load(dir: string): Promise<KfpSchema> {
  const pipelineProto = join(dir, 'v2alpha1', 'pipeline_spec.proto');
  if (!existsSync(pipelineProto)) {
    throw new WorkbenchError(
      ErrorCode.notFound,
      `no KFP protos in ${dir}: expected v2alpha1/pipeline_spec.proto (api/v2alpha1 of kubeflow/pipelines)`,
    );
  }
  const pb = await protobufjs();
  const root: Root = new pb.Root();
  // kubernetes_executor_config.proto imports "pipeline_spec.proto" by bare name; upstream builds it with
  // api/v2alpha1 on the include path. google/protobuf/* come with protobufjs.
  const base = root.resolvePath.bind(root);
  root.resolvePath = (origin, target) => {
    const near = base(origin, target);
    if (near === null || existsSync(near) || target.startsWith('google/protobuf/')) return near;
    const inApi = join(dir, 'v2alpha1', target);
    return existsSync(inApi) ? inApi : near;
  };
  const k8sProto = join(dir, 'kubernetes_platform', 'kubernetes_executor_config.proto');
  const files = [pipelineProto, ...(existsSync(k8sProto) ? [k8sProto] : [])];
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  const k8s = existsSync(k8sProto) ? root.lookupType('kfp_kubernetes.KubernetesExecutorConfig') : undefined;
  return {
    pipelineSpec: root.lookupType('ml_pipelines.PipelineSpec'),
    deploymentConfig: root.lookupType('ml_pipelines.PipelineDeploymentConfig'),
    platformSpec: root.lookupType('ml_pipelines.PlatformSpec'),
    ...(k8s === undefined ? {} : { kubernetesExecutorConfig: k8s }),
  };
}
