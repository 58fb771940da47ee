/** Job success/failure: Katib's GJSON conditions evaluated on any job object. */
export { evaluateGjson } from './gjson.ts';
export { type GjsonQuery, globMatch, parseQuery, queryMatches } from './gjsonQuery.ts';
export {
  conditionMatch,
  defaultJobConditions,
  type JobConditions,
  type JobJudgement,
  type JobState,
  judgeJob,
} from './judge.ts';
