import { CoreV1Api, CustomObjectsApi, KubeConfig, Log, Watch } from '@kubernetes/client-node';
import { ErrorCode, WorkbenchError } from '../../common/errors.ts';

/** The `@kubernetes/client-node` APIs the backend uses, all built from one KubeConfig. */
export interface KubeClients {
  readonly kc: KubeConfig;
  /** Custom resources and any other group (batch Jobs too: same REST shape). */
  readonly custom: CustomObjectsApi;
  /** Pods and namespaces. */
  readonly core: CoreV1Api;
  readonly watch: Watch;
  readonly log: Log;
}

/** Builds the API clients for a KubeConfig. */
export function kubeClients(kc: KubeConfig): KubeClients {
  return {
    kc,
    custom: kc.makeApiClient(CustomObjectsApi),
    core: kc.makeApiClient(CoreV1Api),
    watch: new Watch(kc),
    log: new Log(kc),
  };
}

/**
 * The KubeConfig kubectl would use: `$KUBECONFIG`, else `~/.kube/config`, else the in-cluster service account.
 * The client library silently falls back to `http://localhost:8080` when none exists; we refuse instead, so
 * a missing config is one clear error rather than a minute of connection retries per trial.
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (err) {
    // A KUBECONFIG naming a missing or broken file is the user's input, not a failure of ours.
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      `cannot read the kubeconfig (${process.env.KUBECONFIG ?? '~/.kube/config'}): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster || (cluster.name === 'cluster' && cluster.server === 'http://localhost:8080')) {
    throw new WorkbenchError(
      ErrorCode.invalidArgument,
      'no Kubernetes configuration found: set KUBECONFIG, create ~/.kube/config (e.g. with your cloud CLI or kind), or run inside a pod with a service account',
    );
  }
  return kc;
}
