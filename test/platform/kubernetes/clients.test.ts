// Where the backend finds its cluster: KUBECONFIG, ~/.kube/config, in-cluster — and a clear error otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../src/platform/kubernetes/clients.ts';
import { tempDir } from '../../helpers.ts';

const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const config = (server: string) => `
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]
current-context: x
`;

describe('loadKubeConfig', () => {
  it('reads $KUBECONFIG first, then ~/.kube/config', () => {
    const tmp = tempDir();
    writeFileSync(join(tmp.dir, 'kc.yaml'), config('https://from-env:6443'));
    mkdirSync(join(tmp.dir, '.kube'));
    writeFileSync(join(tmp.dir, '.kube', 'config'), config('https://from-home:6443'));
    process.env.HOME = tmp.dir;
    process.env.KUBECONFIG = join(tmp.dir, 'kc.yaml');
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe('https://from-env:6443');
    delete process.env.KUBECONFIG;
    expect(loadKubeConfig().getCurrentCluster()?.server).toBe('https://from-home:6443');
    tmp.cleanup();
  });

  it('refuses the client library’s silent localhost:8080 fallback when there is no configuration', () => {
    const tmp = tempDir();
    process.env.HOME = tmp.dir;
    delete process.env.KUBECONFIG;
    expect(() => loadKubeConfig()).toThrow(/no Kubernetes configuration found: set KUBECONFIG/);
    tmp.cleanup();
  });
});
