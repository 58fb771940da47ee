import { ErrorCode, WorkbenchError } from '../../common/errors.ts';
import type { ConfigMapSource } from '../../spec/types.ts';
import { failureError } from './apiError.ts';
import type { KubeClients } from './clients.ts';
import { type RetryPolicy, withRetry } from './retry.ts';

/**
 * Reads a trial template kept in a ConfigMap (`trialTemplate.configMap`, as in Katib's
 * trial-configmap-source example): the text under `templatePath`, from `configMapNamespace` or else the
 * experiment's namespace.
 */
export async function readTemplateConfigMap(
  clients: KubeClients,
  source: ConfigMapSource,
  namespace: string,
  policy: RetryPolicy,
): Promise<string> {
  const name = source.configMapName ?? '';
  const ns = source.configMapNamespace || namespace;
  const key = source.templatePath ?? '';
  let data: Record<string, string> | undefined;
  try {
    data = (await withRetry(() => clients.core.readNamespacedConfigMap({ name, namespace: ns }), { policy })).data;
  } catch (err) {
    throw failureError({ verb: 'get', resource: { group: '', plural: 'configmaps' }, namespace: ns, name }, err);
  }
  const text = data?.[key];
  if (text === undefined) {
    throw new WorkbenchError(
      ErrorCode.invalidSpec,
      `spec.trialTemplate.configMap: ConfigMap ${ns}/${name} has no key '${key}' (keys: ${Object.keys(data ?? {}).join(', ')})`,
    );
  }
  return text;
}
