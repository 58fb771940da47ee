/**
 * Replica rules the training webhooks enforce (kubeflow REFERENCE §1a): valid roles per kind, exactly one
 * PyTorch/XGBoost Master, at most one TF Chief/Master, exactly one MPI Launcher, workers ≥ 1.
 */
import type { Issue } from '../../common/issue.ts';
import { jobKinds } from './kinds.ts';
import type { TrainingJobKind } from './types.ts';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Where to report a problem with a role (`replicas.Master` or `spec.pytorchReplicaSpecs.Master.replicas`). */
export interface RolePaths {
  readonly all: string;
  readonly role: (role: string) => string;
}

/** Problems with the roles and replica counts of a `kind` job; `replicas` maps role → count as written. */
export function checkRoles(
  kind: TrainingJobKind,
  replicas: Readonly<Record<string, unknown>>,
  paths: RolePaths,
): Issue[] {
  const info = jobKinds[kind];
  const issues: Issue[] = [];
  const roles = Object.keys(replicas);
  if (roles.length === 0) {
    return [{ path: paths.all, message: `A ${info.manifestKind} needs at least one role (${info.roles.join(', ')}).` }];
  }
  for (const role of roles) {
    const n = replicas[role];
    if (!info.roles.includes(role)) {
      issues.push({
        path: paths.role(role),
        message: `${JSON.stringify(role)} is not a ${info.manifestKind} role.`,
        fix: `Use one of ${info.roles.join(', ')}.`,
      });
    } else if (!isCount(n)) {
      issues.push({
        path: paths.role(role),
        message: `Replicas must be a whole number ≥ 0, not ${JSON.stringify(n)}.`,
      });
    }
  }
  const count = (role: string): number | undefined =>
    isCount(replicas[role]) ? (replicas[role] as number) : undefined;
  const exactlyOne = (role: string, why: string): void => {
    const n = count(role);
    if (n !== undefined && n !== 1)
      issues.push({ path: paths.role(role), message: `${role} replicas must be 1 (${why}), not ${n}.` });
  };
  switch (kind) {
    case 'PyTorchJob':
      exactlyOne('Master', 'the PyTorchJob webhook allows a single master');
      if (count('Worker') === 0)
        issues.push({ path: paths.role('Worker'), message: 'Worker replicas must be at least 1.' });
      break;
    case 'TFJob': {
      const chiefs = roles.filter((r) => r === 'Chief' || r === 'Master');
      if (chiefs.length > 1) {
        issues.push({
          path: paths.all,
          message: 'A TFJob must not have more than one Chief or Master role.',
          fix: 'Keep Chief and drop Master.',
        });
      }
      for (const r of chiefs) exactlyOne(r, 'TF_CONFIG names a single chief');
      break;
    }
    case 'XGBoostJob':
      if (!roles.includes('Master'))
        issues.push({ path: paths.role('Master'), message: 'An XGBoostJob must have a Master role.' });
      exactlyOne('Master', 'the XGBoostJob webhook allows a single master');
      break;
    case 'MPIJob':
    case 'MPIJobV2':
      if (!roles.includes('Launcher'))
        issues.push({ path: paths.role('Launcher'), message: 'An MPIJob must have a Launcher role.' });
      exactlyOne('Launcher', 'mpirun runs on one launcher');
      break;
    case 'TrainJob':
    case 'Job':
      for (const r of roles) {
        if (count(r) === 0)
          issues.push({ path: paths.role(r), message: `A ${info.manifestKind} needs at least 1 replica.` });
      }
      break;
    default:
      break;
  }
  return issues;
}

/** The role names of `kind` matched case-insensitively, as the training operator's defaulter normalises them. */
export function normaliseRole(kind: TrainingJobKind, role: string): string {
  return jobKinds[kind].roles.find((r) => r.toLowerCase() === role.toLowerCase()) ?? role;
}
