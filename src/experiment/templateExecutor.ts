import { ErrorCode, throwIfIssues, WorkbenchError } from '../common/errors.ts';
import type { ExperimentManifest } from '../spec/types.ts';
import { LocalDistributedExecutor } from '../training/local/executor.ts';
import { needsDistributedLauncher } from '../training/local/plan.ts';
import type { TrialExecutor } from '../trial/executor.ts';
import { localRunProblems } from '../trial/localPreflight.ts';
import { LocalProcessExecutor } from '../trial/localProcess.ts';
import { parseForThisInstallation } from './prepare.ts';

/**
 * The executor that runs `manifest`'s trial template on this machine, as `hpo run`, `Experiment.run()` and `hpo
 * worker` choose it: the local distributed launcher for multi-replica jobs or GPU requests, otherwise one local
 * process of the primary container. Throws `unsupported`, with every problem, when the template cannot run here at
 * all, and `invalidSpec`, with the same issues as a run, when the Experiment does not validate.
 */
export function templateExecutorFor(manifest: ExperimentManifest, sourcePath?: string): TrialExecutor {
  const name = manifest.metadata.name;
  const problems = localRunProblems(manifest);
  if (problems.length > 0) {
    throw new WorkbenchError(ErrorCode.unsupported, `Experiment '${name}' cannot run on this machine:`, {
      issues: problems,
    });
  }
  // Executors take the parsed config; an invalid Experiment fails here exactly as the run's own check would.
  const parsed = parseForThisInstallation(manifest);
  if (parsed.config === undefined) throwIfIssues(parsed.issues, `Experiment '${name}'`);
  const options = { config: parsed.config!, ...(sourcePath === undefined ? {} : { sourcePath }) };
  const spec = options.config.trialTemplate?.trialSpec;
  return spec && needsDistributedLauncher(spec)
    ? new LocalDistributedExecutor(options)
    : new LocalProcessExecutor(options);
}
