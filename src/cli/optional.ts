/**
 * Optional integrations: `@kubernetes/client-node` and `@grpc/*` are optional peer dependencies, so a default
 * install stays small. The commands that need one load it here, and say how to install it when it is absent.
 */

import { readFileSync } from 'node:fs';
import { ErrorCode, WorkbenchError } from '../index.ts';

// The versions we test with, from our own peerDependencies (`^1.4.0` → `1.4.0`).
function testedVersion(pkg: string): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    peerDependencies?: Record<string, string>;
  };
  return (manifest.peerDependencies?.[pkg] ?? 'latest').replace(/^[\^~]/, '');
}

function missingPackage(e: unknown, packages: readonly string[]): string | undefined {
  const err = e as NodeJS.ErrnoException | null;
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return packages.find((p) => err.message.includes(`'${p}'`) || err.message.includes(`"${p}"`));
}

/**
 * Runs `load` (a dynamic import of one of our integration subpaths); when one of `packages` is not installed,
 * throws `unsupported` (exit 2) naming the command and the `npm install` line that fixes it.
 */
export async function importOptional<T>(load: () => Promise<T>, what: string, packages: readonly string[]): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (missingPackage(e, packages) === undefined) throw e;
    const install = packages.map((p) => `${p}@${testedVersion(p)}`).join(' ');
    throw new WorkbenchError(
      ErrorCode.unsupported,
      `${what} needs the optional package${packages.length > 1 ? 's' : ''} ${packages.join(', ')}, which ${packages.length > 1 ? 'are' : 'is'} not installed; run: npm install ${install}`,
      { cause: e },
    );
  }
}

/** Loads our Kubernetes integration for `what` (a command), or explains how to install its client. */
export function importKubernetes(what: string): Promise<typeof import('../platform/kubernetes/index.ts')> {
  return importOptional(() => import('../platform/kubernetes/index.ts'), what, ['@kubernetes/client-node']);
}

/** Loads our Katib gRPC integration for `what` (a command), or explains how to install gRPC. */
export function importGrpc(what: string): Promise<typeof import('../platform/grpc/index.ts')> {
  return importOptional(() => import('../platform/grpc/index.ts'), what, ['@grpc/grpc-js', '@grpc/proto-loader']);
}
