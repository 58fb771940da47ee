/**
 * `hpo doctor`'s check for the File/TensorFlowEvent collector sidecar of the Kubernetes backend (metricsSidecar.ts):
 * it is a native sidecar (`restartPolicy: Always` on an init container), which API servers before 1.29 drop (1.28
 * has it behind the `SidecarContainers` feature gate), leaving an init container that never ends and a pod that
 * never starts. So the server's version is read (`GET /version`, which any authenticated user may read).
 */
import { VersionApi } from '@kubernetes/client-node';
import { apiFailure } from './apiError.ts';
import type { DoctorCheck, DoctorContext } from './doctor.ts';

/** The first minor release of Kubernetes 1.x that runs native sidecars by default. */
const sidecarMinor = 29;

/** For the backend with a File or TensorFlowEvent collector: the API server is new enough for the sidecar. */
export async function sidecarCheck(ctx: DoctorContext): Promise<DoctorCheck | undefined> {
  const kind = ctx.manifest?.spec.metricsCollectorSpec?.collector?.kind;
  if (ctx.purpose === 'submit' || (kind !== 'File' && kind !== 'TensorFlowEvent')) return undefined;
  let version: { major: string; minor: string; gitVersion: string };
  try {
    version = await ctx.clients.kc.makeApiClient(VersionApi).getCode();
  } catch (err) {
    const f = apiFailure(err);
    return {
      check: 'sidecar',
      status: 'skip',
      message: `cannot read the server version (${f.status ?? 'network error'}: ${f.message})`.slice(0, 300),
    };
  }
  // Managed clusters report minors such as "29+".
  const major = Number.parseInt(version.major, 10);
  const minor = Number.parseInt(version.minor, 10);
  if (major > 1 || (major === 1 && minor >= sidecarMinor)) {
    return {
      check: 'sidecar',
      status: 'pass',
      message: `Kubernetes ${version.gitVersion} runs the ${kind} collector sidecar (native sidecars, ≥ 1.${sidecarMinor})`,
    };
  }
  return {
    check: 'sidecar',
    status: 'fail',
    message: `Kubernetes ${version.gitVersion} predates native sidecars (1.${sidecarMinor}): the ${kind} collector sidecar would keep every trial pod in Init`,
    fix: `upgrade the cluster to 1.${sidecarMinor} or later (1.28: enable the SidecarContainers feature gate), or print the metrics to stdout (metricsCollectorSpec StdOut), or run the experiment under Katib with 'hpo submit'`,
  };
}
