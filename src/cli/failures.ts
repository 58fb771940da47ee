/**
 * `hpo run`'s account of failed trials: the first few, each with its state, reason, message and the last lines
 * of its log, so a user whose every trial fails sees why without digging through `hpo logs`.
 */

const failedStates = new Set(['Failed', 'MetricsUnavailable']);

/** Lines describing the first `limit` failed trials of `result` (empty when none failed). */
export async function failureReport(
  result: ExperimentResult,
  storeRoot: string,
  { limit = 3, logLines = 5 }: { limit?: number; logLines?: number } = {},
): Promise<string[]> {
  const failed = result.trials.filter((t) => failedStates.has(t.state));
  if (failed.length === 0) return [];
  const workspace = new ExperimentWorkspace(storeRoot, { namespace: result.namespace, name: result.experiment });
  const lines = [
    `${failed.length} trial${failed.length === 1 ? '' : 's'} failed; the first ${Math.min(limit, failed.length)}:`,
  ];
  for (const t of failed.slice(0, limit)) {
    lines.push(`  ${t.name}: ${t.state} (${t.reason}) ${t.message}`);
    const tail = await workspace.logTail(t.name, logLines);
    if (tail && tail.length > 0) {
      lines.push(`    last ${tail.length} log line${tail.length === 1 ? '' : 's'}:`);
      for (const l of tail) lines.push(`    | ${l}`);
    }
  }
  if (failed.length > limit)
    lines.push(`  … see \`hpo trials ${result.experiment}\` and \`hpo logs ${result.experiment} TRIAL\``);
  return lines;
}

import { type ExperimentResult, ExperimentWorkspace } from '../index.ts';
