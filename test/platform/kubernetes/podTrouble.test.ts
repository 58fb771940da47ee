// diagnosePod, table-driven: pod statuses as the kubelet and scheduler write them → the trouble (or none).
import { describe, expect, it } from 'vitest';
import { diagnosePod } from '../../../src/platform/kubernetes/podTrouble.ts';

const pod = (status: Record<string, unknown>) => ({ metadata: { name: 'p' }, status });
const c = (state: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: 'main', state, ...extra });
const unschedulable = (message: string) =>
  pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] });

describe('diagnosePod', () => {
  it.each([
    ['a running, ready pod', pod({ phase: 'Running', containerStatuses: [c({ running: {} }, { ready: true })] })],
    [
      'a pod still creating its container',
      pod({ phase: 'Pending', containerStatuses: [c({ waiting: { reason: 'ContainerCreating' } })] }),
    ],
    ['a pod not yet looked at by the scheduler', pod({ phase: 'Pending' })],
    ['a pod that succeeded', pod({ phase: 'Succeeded', containerStatuses: [c({ terminated: { exitCode: 0 } })] })],
    [
      'a pod being scheduled (PodScheduled True)',
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] }),
    ],
  ])('nothing wrong: %s', (_, p) => {
    expect(diagnosePod(p)).toBeUndefined();
  });

  it.each([
    [
      'an init container that cannot pull',
      pod({ phase: 'Pending', initContainerStatuses: [c({ waiting: { reason: 'ErrImagePull', message: 'x' } })] }),
      'ErrImagePull',
      'fail',
      'image name',
    ],
    [
      'a container killed by OOM, not restarted',
      pod({ phase: 'Failed', containerStatuses: [c({ terminated: { reason: 'OOMKilled', exitCode: 137 } })] }),
      'OOMKilled',
      'fail',
      'limits.memory',
    ],
    [
      'running again after an OOM kill',
      pod({
        phase: 'Running',
        containerStatuses: [c({ running: {} }, { lastState: { terminated: { reason: 'OOMKilled' } } })],
      }),
      'OOMKilled',
      'warn',
      'limits.memory',
    ],
    [
      'too little CPU',
      unschedulable('0/2 nodes are available: 2 Insufficient cpu.'),
      'Unschedulable',
      'fail',
      'resources.requests.cpu',
    ],
    [
      'an untolerated taint',
      unschedulable('0/1 nodes are available: 1 node(s) had untolerated taint {gpu: true}.'),
      'Unschedulable',
      'fail',
      'tolerations',
    ],
    [
      'an unbound claim',
      unschedulable('0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.'),
      'Unschedulable',
      'fail',
      'kubectl get pvc',
    ],
  ])('%s', (_, p, reason, action, fix) => {
    const t = diagnosePod(p);
    expect(t).toMatchObject({ pod: 'p', reason, action });
    expect(t!.message).toContain(fix);
  });

  it('takes the scheduler reason from the newest FailedScheduling event when the condition has none', () => {
    const t = diagnosePod(
      pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] }),
      [
        { reason: 'FailedScheduling', message: 'old' },
        { reason: 'FailedScheduling', message: '0/4 nodes are available: 4 Insufficient nvidia.com/mig-1g.10gb.' },
      ],
    );
    expect(t!.message).toContain('4 Insufficient nvidia.com/mig-1g.10gb');
    expect(t!.message).not.toContain('old');
  });

  it('an Istio sidecar with a worker still running is not a hang', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [c({ running: {} }), { name: 'istio-proxy', state: { running: {} } }],
    });
    expect(diagnosePod(p)).toBeUndefined();
  });
});
