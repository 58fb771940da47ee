/**
 * `hpo-workbench/training`: Kubeflow job kinds (builders, describe-back, CRD and admission validation), Katib's
 * success/failure conditions, and the local distributed launcher that runs those jobs on this machine with the
 * operators' environment contract. `Experiment.run()` picks the launcher by itself; these exports let a
 * TypeScript user build a trial template (a PyTorchJob with GPU requests, say) and run or inspect it.
 */
export * from './conditions/index.ts';
export * from './jobs/index.ts';
export * from './local/index.ts';
