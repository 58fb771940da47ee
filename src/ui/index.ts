/**
 * `hpo-workbench/ui`: the dashboard (`hpo ui`), a read-only web app over a store: the page, a JSON API under
 * `/api/`, server-sent change events and streamed logs, on Node's `http`. vega and vega-lite (optional peers) are
 * served to the browser from node_modules only when the page asks for them.
 */

export { DashboardData, defaultCachedExperiments, type ExperimentSummary } from './data.ts';
export { type ObjectiveColumns, objectiveColumnsOf } from './objectiveColumns.ts';
export { type Dashboard, type DashboardOptions, startDashboard } from './server.ts';
export type { ChangeMessage } from './stream.ts';
export { maxPageSize, parseTrialQuery, type TrialQuery, type TrialRow, trialPage, trialRow } from './trialTable.ts';
