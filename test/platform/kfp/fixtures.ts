/** KFP 2.17's protos (the folder holding v2alpha1/ and kubernetes_platform/), from /work/shared/kubeflow. */
import { fileURLToPath } from 'node:url';

export const kfpProtoDir: string = fileURLToPath(
  new URL('../../../../shared/kubeflow/protos/kfp-2.17.0/', import.meta.url),
);

/** KFP 2.17's IR samples (test_data of kubeflow/pipelines). */
export const kfpSamplesDir: URL = new URL('../../../../shared/kubeflow/samples/kfp-2.17.0-ir/', import.meta.url);
