/**
 * The `hpo` command line: a thin shell over the library. Exit codes: 0 succeeded, 1 experiment failed,
 * 2 bad input, 130 interrupted. No stack traces unless --debug.
 */

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { plotKinds } from '../analysis/index.ts';
import { ErrorCode, WorkbenchError } from '../index.ts';
import { deleteCommand, runCommand, validateCommand } from './commands.ts';
import { convertCommand } from './convert.ts';
import { exitQuietlyOnClosedOutput, exitWhenDrained } from './exit.ts';
import { exportCommand } from './export.ts';
import { bestCommand, explainCommand, listCommand } from './inspect.ts';
import { clusterStatusCommand, doctorCommand, dryRunCommand, submitCommand } from './kubernetes.ts';
import { lineageCommand } from './lineage.ts';
import { unlockCommand } from './lockCommands.ts';
import { defaultFollowInterval, logsCommand } from './logs.ts';
import {
  durationMs,
  graceMs,
  heartbeatMs,
  namespaceOption,
  outputOption,
  percent,
  positiveInt,
  positiveSeconds,
  storeOption,
  watchOptions,
} from './options.ts';
import { plotCommand } from './plot.ts';
import { serveCommand } from './serve.ts';
import { addSuggestionServerCommand } from './suggestionServer.ts';
import { uiCommand } from './ui.ts';
import { statusCommand, trialsCommand } from './watch.ts';
import { joinRunCommand, workerCommand } from './worker.ts';

/** The package's version, read from its package.json (two folders up from both src/cli and dist/cli). */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** Builds the program; `exit` receives the status code of the command that ran. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('hpo')
    .description('Hyperparameter tuning with Kubeflow Katib experiments, run locally')
    .version(packageVersion(), '-V, --version', 'print the version of hpo-workbench')
    .option('--debug', 'print stack traces for errors')
    .addOption(storeOption())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // `--store` works before or after the command name (`hpo --store s list`, `hpo list --store s`).
  const withStore = <T extends { store?: string }>(o: T): T => {
    const store = o.store ?? (program.opts() as { store?: string }).store;
    return store === undefined ? o : { ...o, store };
  };

  program
    .command('run')
    .description(
      'run the Katib Experiment(s) in FILE with trials as local processes (re-running continues a stored experiment)',
    )
    .argument('<files...>', 'Experiment YAML files (multi-document files run each Experiment)')
    .addOption(storeOption())
    .addOption(
      new Option('-o, --output <format>', 'text summary, or one JSON/YAML document when the run ends')
        .choices(['text', 'json', 'yaml'])
        .default('text'),
    )
    .option('-q, --quiet', 'no progress output')
    .addOption(new Option('--backend <name>', 'where trials run').choices(['local', 'kubernetes']).default('local'))
    .option('--namespace <ns>', 'namespace for trial jobs (kubernetes backend)')
    .option('--context <name>', 'kubeconfig context (kubernetes backend)')
    .option('--dry-run', 'print the job manifests of the first trials as YAML instead of running (kubernetes backend)')
    .option(
      '--stuck-grace <duration>',
      'end a trial whose pods are stuck (image pull, unschedulable, crash loop, …) after this long (kubernetes backend; default 120s)',
      graceMs,
    )
    .option(
      '--join',
      'work the experiment together with other processes on the same store, as `hpo worker NAME --file FILE` does (local backend)',
    )
    .option('--heartbeat <duration>', 'with --join: time between lease renewals, e.g. 2s (default 2s)', heartbeatMs)
    .action(async (files: string[], o) => {
      // A WorkbenchError, not commander's InvalidArgumentError: thrown from an action, only ours gets printed.
      for (const [given, flag] of [
        [o.stuckGrace, '--stuck-grace'],
        [o.dryRun, '--dry-run'],
      ] as const) {
        if (given !== undefined && o.backend !== 'kubernetes') {
          throw new WorkbenchError(ErrorCode.invalidArgument, `${flag} needs --backend kubernetes`);
        }
      }
      if (o.heartbeat !== undefined && o.join !== true) {
        throw new WorkbenchError(ErrorCode.invalidArgument, '--heartbeat needs --join (or use `hpo worker`)');
      }
      if (o.join === true) {
        if (o.backend !== 'local') {
          throw new WorkbenchError(
            ErrorCode.invalidArgument,
            '--join runs trials on this machine: leave out --backend kubernetes (on a cluster, one controller spreads the trials)',
          );
        }
        exit(await joinRunCommand(files, withStore(o)));
        return;
      }
      if (o.dryRun) {
        exit(await dryRunCommand(files, o));
        return;
      }
      exit(await runCommand(files, withStore(o)));
    });

  program
    .command('resume')
    .description('continue a stored experiment (after a crash, or with a bigger budget)')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .option('--max-trials <n>', 'new spec.maxTrialCount', positiveInt('--max-trials'))
    .option('--parallel <n>', 'new spec.parallelTrialCount', positiveInt('--parallel'))
    .option('--max-failed <n>', 'new spec.maxFailedTrialCount', positiveInt('--max-failed'))
    .addOption(outputOption(['text', 'json', 'yaml']))
    .option('-q, --quiet', 'no progress output')
    .action(async (name: string, o) => {
      const budget = {
        ...(o.maxTrials === undefined ? {} : { maxTrialCount: o.maxTrials as number }),
        ...(o.parallel === undefined ? {} : { parallelTrialCount: o.parallel as number }),
        ...(o.maxFailed === undefined ? {} : { maxFailedTrialCount: o.maxFailed as number }),
      };
      exit(await runCommand([], withStore(o), { name, budget }));
    });

  program
    .command('worker')
    .description(
      'join experiment NAME in a shared store as one more worker: workers share its budget and trial leases (see README, "Several workers on one experiment")',
    )
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .option('-f, --file <file>', 'Experiment YAML defining NAME: the first worker creates the experiment from it')
    .option('--heartbeat <duration>', 'time between lease renewals, e.g. 2s or 500ms (default 2s)', heartbeatMs)
    .addOption(outputOption(['text', 'json', 'yaml']))
    .option('-q, --quiet', 'no event output')
    .action(async (name: string, o) => exit(await workerCommand(name, withStore(o))));

  program
    .command('validate')
    .description('check Experiment files against Katib’s rules and ours; exit 2 listing every problem')
    .argument('<files...>')
    .action(async (files: string[]) => exit(await validateCommand(files)));

  program
    .command('convert')
    .description(
      'write a Katib Experiment as a Kubeflow Trainer OptimizationJob, or an OptimizationJob as a Katib Experiment',
    )
    .argument('<file>')
    .addOption(new Option('--to <target>', 'what to write').choices(['optimizationjob', 'katib']).makeOptionMandatory())
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option(
      '--runtime <name>',
      'optimizationjob: the ClusterTrainingRuntime a batch Job trial runs under',
      'torch-distributed',
    )
    .option('--crd <file>', "optimizationjob: check the result against this CRD file (Trainer's optimizationjobs CRD)")
    .action(async (file: string, o) => exit(await convertCommand(file, o)));

  program
    .command('list')
    .description('list stored experiments')
    .addOption(storeOption())
    .option('-n, --namespace <ns>', 'only the experiments of this namespace')
    .addOption(outputOption(['table', 'json', 'yaml', 'csv']))
    .action(async (o) => exit(await listCommand(withStore(o))));

  const status = program
    .command('status')
    .description('status, trial counts, best trial and recent events of an experiment')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'json', 'yaml']))
    .option('--cluster', 'read the Katib Experiment from the cluster instead of the local store')
    .option('-n, --namespace <ns>', "the experiment's namespace (in the store, or with --cluster in the cluster)")
    .option('--context <name>', 'kubeconfig context (with --cluster)')
    .action(async (name: string, o) =>
      exit(o.cluster ? await clusterStatusCommand(name, o) : await statusCommand(name, withStore(o))),
    );
  watchOptions(status);

  program
    .command('submit')
    .description('create the Experiment(s) in FILE in a cluster that runs Katib')
    .argument('<files...>')
    .option('--namespace <ns>', 'namespace (default: the file’s, else default)')
    .option('--context <name>', 'kubeconfig context')
    .action(async (files: string[], o) => exit(await submitCommand(files, o)));

  program
    .command('doctor')
    .description(
      "read-only checks of a cluster against an experiment (CRDs, RBAC, namespace, Katib's config, PVC, GPUs), each with its fix",
    )
    .argument('[file]', 'the Experiment YAML to check the cluster for')
    .option('--namespace <ns>', 'namespace (default: the file’s, else the context’s)')
    .option('--context <name>', 'kubeconfig context')
    .option('--katib-namespace <ns>', 'where Katib runs (its katib-config ConfigMap), for --for submit', 'kubeflow')
    .addOption(
      new Option('--for <command>', 'check for the kubernetes backend (run), hpo submit, or both')
        .choices(['run', 'submit', 'both'])
        .default('both'),
    )
    .addOption(outputOption(['text', 'json', 'yaml']))
    .action(async (file: string | undefined, o) => exit(await doctorCommand(file, o)));

  const trials = program
    .command('trials')
    .description('the trials of an experiment (CSV: full precision, with reason, start, end and duration)')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .addOption(outputOption(['table', 'json', 'yaml', 'csv']))
    .action(async (name: string, o) => exit(await trialsCommand(name, withStore(o))));
  watchOptions(trials);

  program
    .command('best')
    .description('the best trial of an experiment')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .addOption(outputOption(['table', 'json', 'yaml']))
    .action(async (name: string, o) => exit(await bestCommand(name, withStore(o))));

  program
    .command('export')
    .description(
      'hand the best trial on: a Kubeflow Pipelines v2 pipeline (IR YAML) that retrains it, a KServe InferenceService that serves its model, or the lineage of every trial in ML Metadata',
    )
    .argument('<name>')
    .addOption(new Option('--to <target>', 'what to write').choices(['kfp', 'kserve', 'mlmd']).makeOptionMandatory())
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--upload <url>', 'kfp: upload the pipeline to this KFP API server and start a run (token: $HPO_KFP_TOKEN)')
    .option(
      '--with-tuning',
      'kfp: a first step runs the Katib Experiment in the cluster and the retrain takes its best values (image: $HPO_KUBECTL_IMAGE)',
    )
    .option('--mlmd <host:port>', 'mlmd: store the lineage in this ML Metadata gRPC server instead of printing it')
    .option('--storage-uri <uri>', 'kserve: where the cluster reads the model (gs://, s3://, pvc://, ...)')
    .option('--canary <percent>', 'kserve: canaryTrafficPercent when replacing a running service (0-100)', percent)
    .addOption(
      new Option('--format <format>', 'kserve: the predictor (default: from the model file)').choices([
        'sklearn',
        'pytorch',
        'custom',
      ]),
    )
    .option('--image <image>', 'kserve: the image of a custom predictor')
    .option('--name <name>', 'kserve: the InferenceService name (default: the experiment name)')
    .option('--apply', "kserve: create or replace it in the cluster (the experiment's namespace) and wait until Ready")
    .option('--context <name>', 'kserve --apply: kubeconfig context')
    .option('--timeout <duration>', 'kserve --apply: how long to wait for Ready (default 5m)', durationMs('--timeout'))
    .addOption(storeOption())
    .addOption(namespaceOption())
    .action(async (name: string, o) =>
      exit(await exportCommand(name, withStore({ ...o, sdkVersion: `hpo-workbench-${packageVersion()}` }))),
    );

  program
    .command('lineage')
    .description(
      "where a model came from: walks the ML Metadata lineage back from the best trial's model (or TRIAL's) to its trial, parameters, experiment, data and code version",
    )
    .argument('<name>')
    .argument('[trial]')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .addOption(outputOption(['text', 'json', 'yaml']))
    .action(async (name: string, trial: string | undefined, o) =>
      exit(await lineageCommand(name, trial, withStore(o))),
    );

  program
    .command('serve')
    .description(
      "answer KServe's Open Inference Protocol (v2) on this machine for the best trial's scikit-learn or TorchScript model",
    )
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .option('--port <n>', 'port to listen on', positiveInt('--port'), 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--model-name <name>', 'the NAME in /v2/models/NAME (default: the experiment name)')
    .option('--python <path>', 'the Python that has scikit-learn and joblib (or PyTorch)', '/usr/bin/python3')
    .action(async (name: string, o) => exit(await serveCommand(name, withStore(o))));

  program
    .command('explain')
    .description('why the algorithm proposed a trial (acquisition value, generation, rung, ...) and how it ended')
    .argument('<name>')
    .argument('<trial>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .addOption(outputOption(['table', 'json', 'yaml']))
    .action(async (name: string, trial: string, o) => exit(await explainCommand(name, trial, withStore(o))));

  program
    .command('plot')
    .description('draw a plot of an experiment as SVG, PNG or HTML (by the --out extension; .json: the Vega-Lite spec)')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .addOption(new Option('--kind <kind>', 'which plot').choices([...plotKinds]).default('history'))
    .requiredOption('--out <file>', 'the file to write: .svg, .png, .html or .json')
    .option('--params <names>', 'comma-separated parameters to show (parallel, slice, contour, importance)')
    .option('--resolution <n>', 'cells per numeric axis of a contour (2-200)', positiveInt('--resolution'))
    .action(async (name: string, o) => exit(await plotCommand(name, withStore(o))));

  program
    .command('logs')
    .description("print a trial's log (a distributed trial's: its master's, or another replica's with --replica)")
    .argument('<name>')
    .argument('<trial>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .option('-f, --follow', 'keep printing what the trial writes until it ends or no run drives the experiment')
    .option('--interval <seconds>', 'seconds between two polls with --follow', positiveSeconds, defaultFollowInterval)
    .option('--replica <name>', 'the log of this replica of a distributed trial (e.g. worker-0)')
    .action(async (name: string, trial: string, o) => exit(await logsCommand(name, trial, withStore(o))));

  program
    .command('delete')
    .description('delete an experiment, its trials, observations and trial folders')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .action(async (name: string, o) => exit(await deleteCommand(name, withStore(o))));

  program
    .command('unlock')
    .description("remove an experiment's controller lock (left by a controller that is gone); needs --force")
    .argument('<name>')
    .addOption(storeOption())
    .addOption(namespaceOption())
    .option('--force', 'remove the lock even though its controller might still be running')
    .action(async (name: string, o) =>
      exit(
        await unlockCommand(name, withStore(o), {
          out: (s) => process.stdout.write(`${s}\n`),
          err: (s) => process.stderr.write(`${s}\n`),
        }),
      ),
    );

  program
    .command('ui')
    .description('serve a read-only dashboard of the store (experiments, trials, plots, logs, live updates)')
    .addOption(storeOption())
    .option('--port <n>', 'port to listen on (0: any free port)', positiveInt('--port'), 8080)
    .option('--host <host>', 'address to bind (default: this machine only)', '127.0.0.1')
    .action(async (o: { store?: string; port: number; host: string }) => exit(await uiCommand(withStore(o))));

  addSuggestionServerCommand(program, exit);

  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors are bad input
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof WorkbenchError) {
      process.stderr.write(`error: ${e.describe()}\n`);
      if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
      return e.isBadInput ? 2 : 1;
    }
    const err = e as Error;
    process.stderr.write(`error: ${err?.message ?? String(e)}\n`);
    if (debug && err?.stack) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write('(run with --debug for the stack trace)\n');
    return 1;
  }
}

/**
 * Runs the CLI as the process itself (bin/hpo.js calls this): a closed stdout ends it quietly, and it exits with
 * the command's status only once stdout and stderr are drained, so piped output is never cut short.
 */
export async function runAsProcess(argv: string[]): Promise<never> {
  exitQuietlyOnClosedOutput();
  return exitWhenDrained(await main(argv));
}

const isEntry = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntry) void runAsProcess(process.argv.slice(2));
