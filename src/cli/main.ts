/**
 * The `hpo` command line: a thin shell over the library. Exit codes: 0 succeeded, 1 experiment failed,
 * 2 bad input, 130 interrupted. No stack traces unless --debug.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { WorkbenchError } from '../common/errors.ts';
import {
  bestCommand,
  deleteCommand,
  explainCommand,
  listCommand,
  logsCommand,
  runCommand,
  statusCommand,
  trialsCommand,
  validateCommand,
} from './commands.ts';
import { exitQuietlyOnClosedOutput, exitWhenDrained } from './exit.ts';
import { clusterStatusCommand, dryRunCommand, submitCommand } from './kubernetes.ts';

function positiveInt(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number, got '${v}'`);
    return n;
  };
}

const outputOption = (choices: string[]): Option =>
  new Option('-o, --output <format>', 'output format').choices(choices).default(choices[0]);
const storeOption = (): Option =>
  new Option('--store <path>', 'store folder or .db file (default: $HPO_STORE or ./.hpo)');

/** Builds the program; `exit` receives the status code of the command that ran. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('hpo')
    .description('Hyperparameter tuning with Kubeflow Katib experiments, run locally')
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('run')
    .description(
      'run the Katib Experiment(s) in FILE with trials as local processes (re-running continues a stored experiment)',
    )
    .argument('<files...>', 'Experiment YAML files (multi-document files run each Experiment)')
    .addOption(storeOption())
    .addOption(
      new Option('-o, --output <format>', 'text summary, or one JSON document when the run ends')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('-q, --quiet', 'no progress output')
    .addOption(new Option('--backend <name>', 'where trials run').choices(['local', 'kubernetes']).default('local'))
    .option('--namespace <ns>', 'namespace for trial jobs (kubernetes backend)')
    .option('--context <name>', 'kubeconfig context (kubernetes backend)')
    .option('--dry-run', 'print the job manifests of the first trials as YAML instead of running (kubernetes backend)')
    .action(async (files: string[], o) => {
      if (o.dryRun) {
        if (o.backend !== 'kubernetes') throw new InvalidArgumentError('--dry-run needs --backend kubernetes');
        exit(await dryRunCommand(files, o));
        return;
      }
      exit(await runCommand(files, o));
    });

  program
    .command('resume')
    .description('continue a stored experiment (after a crash, or with a bigger budget)')
    .argument('<name>')
    .addOption(storeOption())
    .option('--max-trials <n>', 'new spec.maxTrialCount', positiveInt('--max-trials'))
    .option('--parallel <n>', 'new spec.parallelTrialCount', positiveInt('--parallel'))
    .option('--max-failed <n>', 'new spec.maxFailedTrialCount', positiveInt('--max-failed'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-q, --quiet', 'no progress output')
    .action(async (name: string, o) => {
      const budget = {
        ...(o.maxTrials === undefined ? {} : { maxTrialCount: o.maxTrials as number }),
        ...(o.parallel === undefined ? {} : { parallelTrialCount: o.parallel as number }),
        ...(o.maxFailed === undefined ? {} : { maxFailedTrialCount: o.maxFailed as number }),
      };
      exit(await runCommand([], o, { name, budget }));
    });

  program
    .command('validate')
    .description('check Experiment files against Katib’s rules and ours; exit 2 listing every problem')
    .argument('<files...>')
    .action((files: string[]) => exit(validateCommand(files)));

  program
    .command('list')
    .description('list stored experiments')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'json', 'csv']))
    .action((o) => exit(listCommand(o)));

  program
    .command('status')
    .description('status, trial counts, best trial and recent events of an experiment')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'json']))
    .option('--cluster', 'read the Katib Experiment from the cluster instead of the local store')
    .option('--namespace <ns>', 'namespace of the Experiment (with --cluster)')
    .option('--context <name>', 'kubeconfig context (with --cluster)')
    .action(async (name: string, o) => exit(o.cluster ? await clusterStatusCommand(name, o) : statusCommand(name, o)));

  program
    .command('submit')
    .description('create the Experiment(s) in FILE in a cluster that runs Katib')
    .argument('<files...>')
    .option('--namespace <ns>', 'namespace (default: the file’s, else default)')
    .option('--context <name>', 'kubeconfig context')
    .action(async (files: string[], o) => exit(await submitCommand(files, o)));

  program
    .command('trials')
    .description('the trials of an experiment')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'json', 'csv']))
    .action((name: string, o) => exit(trialsCommand(name, o)));

  program
    .command('best')
    .description('the best trial of an experiment')
    .argument('<name>')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'json']))
    .action((name: string, o) => exit(bestCommand(name, o)));

  program
    .command('explain')
    .description('why the algorithm proposed a trial (acquisition value, generation, rung, ...) and how it ended')
    .argument('<name>')
    .argument('<trial>')
    .addOption(storeOption())
    .addOption(outputOption(['table', 'json']))
    .action((name: string, trial: string, o) => exit(explainCommand(name, trial, o)));

  program
    .command('logs')
    .description("print a trial's log")
    .argument('<name>')
    .argument('<trial>')
    .addOption(storeOption())
    .action(async (name: string, trial: string, o) => exit(await logsCommand(name, trial, o)));

  program
    .command('delete')
    .description('delete an experiment, its trials, observations and trial folders')
    .argument('<name>')
    .addOption(storeOption())
    .action((name: string, o) => exit(deleteCommand(name, o)));

  program
    .command('suggestion-server')
    .description(
      "serve our algorithms as Katib's Suggestion gRPC service (point katib-config's suggestion images at it)",
    )
    .option('--port <n>', 'port to listen on', positiveInt('--port'), 6789)
    .option('--host <host>', 'address to bind', '0.0.0.0')
    .action(async (o: { port: number; host: string }) => {
      const { serveUntilAborted } = await import('../platform/grpc/index.ts');
      const abort = new AbortController();
      const stop = (): void => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await serveUntilAborted({
        port: o.port,
        host: o.host,
        signal: abort.signal,
        log: (line: string) => process.stderr.write(`${line}\n`),
      });
      exit(0);
    });

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
