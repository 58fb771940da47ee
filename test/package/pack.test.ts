// The package as users get it: `npm pack` on a clean checkout (its prepack builds dist/), installed into an empty
// folder, imported from an .mjs script and from TypeScript, and its `hpo` bin run through npx.
//
// Installing offline and fast: the folder gets a lockfile made from ours (only the runtime entries, each with its
// registry URL and integrity), so `npm ci --offline` takes every tarball from npm's cache, which `npm run setup`
// filled (falling back to the registry when the cache lacks one). Install scripts are skipped, so better-sqlite3 is
// not compiled again (~70 s): its native module is copied from our own node_modules, the same version built for
// the same Node.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  exports: Record<string, { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};
const optionalPeers = [
  '@kubernetes/client-node',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'tsx',
  'protobufjs',
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
];

let tmp: ReturnType<typeof tempDir>;
let app: string;
let files: string[];

function run(cmd: string, args: readonly string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, HPO_STORE: '' } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A clean checkout: the files git tracks or would add (no dist/, no node_modules), with our dependencies linked. */
function cleanCheckout(dest: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f !== '' && f !== 'node_modules' && !f.startsWith('node_modules/'));
  for (const f of listed) {
    if (!existsSync(join(repo, f))) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(join(repo, f), join(dest, f));
  }
  symlinkSync(realpathSync(join(repo, 'node_modules')), join(dest, 'node_modules'));
}

/** The runtime part of our lockfile, as the lockfile of a folder that depends on the packed tarball. */
function appLockfile(tarball: string): unknown {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; peer?: boolean; devOptional?: boolean }>;
  };
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { [pkg.name]: `file:${tarball}` } },
    [`node_modules/${pkg.name}`]: { ...pkg, resolved: `file:${tarball}`, exports: undefined, scripts: undefined },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && !entry.dev && !entry.peer && !entry.devOptional) packages[path] = entry;
  }
  return { name: 'app', lockfileVersion: 3, requires: true, packages };
}

beforeAll(() => {
  tmp = tempDir('hpo-pack-');
  const checkout = join(tmp.dir, 'checkout');
  cleanCheckout(checkout);
  // Plain `npm pack`, as a release would run it: its prepack script must build dist/ first.
  const packed = run('npm', ['pack', '--pack-destination', tmp.dir, '--loglevel=error'], checkout);
  expect(packed.stderr).not.toMatch(/error/i);
  expect(packed.status).toBe(0);
  const tarball = join(tmp.dir, packed.stdout.trim().split('\n').at(-1)!);
  files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');

  app = join(tmp.dir, 'app');
  mkdirSync(app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { [pkg.name]: `file:${tarball}` } }),
  );
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLockfile(tarball), null, 2));
  const flags = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  let installed = run('npm', ['ci', '--offline', ...flags], app);
  if (installed.status !== 0) installed = run('npm', ['ci', '--prefer-offline', ...flags], app);
  expect(installed.stderr).toBe('');
  expect(installed.status).toBe(0);
  const ours = join(repo, 'node_modules', 'better-sqlite3');
  const theirs = join(app, 'node_modules', 'better-sqlite3');
  const version = (dir: string): string => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  expect(version(theirs)).toBe(version(ours));
  cpSync(
    join(ours, 'build', 'Release', 'better_sqlite3.node'),
    join(theirs, 'build', 'Release', 'better_sqlite3.node'),
  );
}, 300_000);
afterAll(() => tmp?.cleanup());

describe('the packed package', () => {
  it('ships the built code and types for every export, and no sources or tests', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      for (const file of [target.types, target.default]) {
        expect(files, `${subpath} → ${file}`).toContain(`package/${file.replace(/^\.\//, '')}`);
      }
    }
    expect(files).toContain('package/bin/hpo.js');
    expect(files).toContain('package/dist/suggestion/worker.js');
    expect(files).toContain('package/dist/platform/grpc/katib-api.proto');
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
  });

  it('maps every subpath export in typesVersions, for TypeScript resolution that predates exports', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === '.') continue;
      expect(pkg.typesVersions['*']?.[subpath.slice(2)], subpath).toEqual([target.types.replace(/^\.\//, '')]);
    }
  });

  it('installs lean: the Kubernetes client, gRPC and tsx are optional peers, not installed by default', () => {
    for (const name of optionalPeers) {
      expect(pkg.dependencies).not.toHaveProperty(name);
      expect(pkg.peerDependencies).toHaveProperty(name);
      expect(existsSync(join(app, 'node_modules', name)), name).toBe(false);
    }
  });

  it('imports from an .mjs script and runs optimize()', () => {
    writeFileSync(
      join(app, 'tune.mjs'),
      `import { Experiment, search } from 'hpo-workbench';
const exp = Experiment.create({
  name: 'pkg-check',
  objective: { type: 'minimize', objectiveMetricName: 'loss' },
  algorithm: { algorithmName: 'random', algorithmSettings: { random_state: '1' } },
  parameters: [search.double('x', -1, 1)],
  maxTrialCount: 4,
  store: ':memory:',
});
const result = await exp.optimize((p) => p.x ** 2);
await exp.close();
console.log(JSON.stringify({ status: result.status, trials: result.trials.length }));
`,
    );
    const r = run(process.execPath, ['tune.mjs'], app);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ status: 'Succeeded', trials: 4 });
  });

  it('type-checks a TypeScript user of the package', () => {
    writeFileSync(
      join(app, 'tune.ts'),
      `import { Experiment, type ExperimentResult, search } from 'hpo-workbench';
const exp = Experiment.create({
  name: 'ts-check',
  objective: { type: 'minimize', objectiveMetricName: 'loss' },
  algorithm: { algorithmName: 'random' },
  parameters: [search.double('x', -1, 1)],
  maxTrialCount: 3,
  store: ':memory:',
});
export const result: Promise<ExperimentResult> = exp.optimize((p) => Number(p.x) ** 2);
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['tune.ts'],
      }),
    );
    const r = run(
      process.execPath,
      [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      app,
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs its hpo bin through npx: --version, the quickstart, and a clear message for a missing optional peer', () => {
    const version = run('npx', ['hpo', '--version'], app);
    expect(version.stdout.trim()).toBe(pkg.version);
    cpSync(join(repo, 'examples', 'quickstart'), join(app, 'quickstart'), { recursive: true });
    const quick = run('npx', ['hpo', 'run', 'quickstart/experiment.yaml', '--store', 'store', '-o', 'json'], app);
    expect(quick.stderr).toBe('');
    expect(quick.status).toBe(0);
    expect(JSON.parse(quick.stdout)).toMatchObject({ experiment: 'quickstart', status: 'Succeeded' });
    // The KFP export needs no optional peer: protobufjs is only for validating a pipeline.
    const exported = run('npx', ['hpo', 'export', 'quickstart', '--to', 'kfp', '--store', 'store'], app);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain('schemaVersion: 2.1.0');
    // Lineage needs no optional peer either; only storing it in an MLMD server needs gRPC.
    const lineage = run('npx', ['hpo', 'lineage', 'quickstart', '--store', 'store', '-o', 'json'], app);
    expect(lineage.status).toBe(0);
    expect(JSON.parse(lineage.stdout).experiment).toMatchObject({ context: 'default/quickstart' });
    const mlmd = run(
      'npx',
      ['hpo', 'export', 'quickstart', '--to', 'mlmd', '--mlmd', '127.0.0.1:1', '--store', 'store'],
      app,
    );
    expect(mlmd.status).toBe(2);
    expect(mlmd.stderr).toContain('npm install @grpc/grpc-js@');
    const submit = run('npx', ['hpo', 'submit', 'quickstart/experiment.yaml'], app);
    expect(submit.status).toBe(2);
    expect(submit.stderr).toContain(
      `npm install @kubernetes/client-node@${pkg.peerDependencies['@kubernetes/client-node']?.replace('^', '')}`,
    );
  });

  it('loads the kfp subpath without protobufjs, and says how to install it when a pipeline is validated', () => {
    const r = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const k = await import('hpo-workbench/kfp'); console.log(typeof k.retrainPipeline); await k.validatePipeline('{}', { schema: process.argv[1] }).catch((e) => console.log(e.message));",
        join(repo, '..', 'shared', 'kubeflow', 'protos', 'kfp-2.17.0'),
      ],
      app,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('function\n');
    expect(r.stdout).toContain(`npm install protobufjs@${pkg.peerDependencies.protobufjs?.replace('^', '')}`);
  });

  it('loads the kserve subpath from the installed package', () => {
    const r = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const k = await import('hpo-workbench/kserve'); console.log(typeof k.inferenceService, typeof k.serveModel, k.formatOfModel('model.joblib'));",
      ],
      app,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function function sklearn\n');
  });

  it('loads the mlmd subpath without gRPC, walks a lineage, and names the install line when storing one', () => {
    const r = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('hpo-workbench/mlmd'); console.log(typeof m.readLineageGraph, typeof m.walkLineage, m.mlmdTypeNames.trial); const g = m.lineageGraph({ experiment: { name: 'e', namespace: 'default', manifest: { metadata: { name: 'e' }, spec: {} }, phase: 'Succeeded', createdAt: '' }, trials: [] }); console.log(g.context_types[0].name); console.log(await m.pushLineageGraph(g, { address: '127.0.0.1:1' }).then(() => 'stored', (x) => x.message));",
      ],
      app,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'function function system.ContainerExecution\nsystem.PipelineRun\n' +
        'storing lineage in ML Metadata needs the optional packages @grpc/grpc-js and @grpc/proto-loader, which are not installed; run: npm install @grpc/grpc-js @grpc/proto-loader\n',
    );
    expect(files).toContain('package/dist/platform/mlmd/mlmd-api.proto');
  });

  it('plots without the optional renderers: the analysis subpath and the Vega-Lite spec load, an SVG names the install line', () => {
    const analysis = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const a = await import('hpo-workbench/analysis'); console.log(typeof a.importance, typeof a.renderSvg, a.plotKinds.length);",
      ],
      app,
    );
    expect(analysis.stderr).toBe('');
    expect(analysis.stdout.trim()).toBe('function function 8');
    // the quickstart run of an earlier test is in ./store
    const spec = run(
      'npx',
      ['hpo', 'plot', 'quickstart', '--store', 'store', '--kind', 'importance', '--out', 'i.json'],
      app,
    );
    expect(spec.stderr).toBe('');
    expect(spec.status).toBe(0);
    expect(JSON.parse(readFileSync(join(app, 'i.json'), 'utf8')).data.values).toHaveLength(3);
    const svg = run('npx', ['hpo', 'plot', 'quickstart', '--store', 'store', '--out', 'h.svg'], app);
    expect(svg.status).toBe(2);
    expect(svg.stderr).toContain('npm install vega@6.4.0 vega-lite@6.4.3');
    expect(existsSync(join(app, 'h.svg'))).toBe(false);
  });

  it('serves the dashboard from the package: its page ships, and without vega the plot bundles name the install line', () => {
    // the quickstart run of an earlier test is in ./store
    const ui = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        [
          "const { openStoreForReading } = await import('hpo-workbench');",
          "const { startDashboard } = await import('hpo-workbench/ui');",
          "const store = openStoreForReading('store'); const d = await startDashboard({ store });",
          "for (const p of ['', 'static/app.js', 'static/table.js', 'api/experiments/default/quickstart/trials?limit=1', 'vendor/vega.min.js']) {",
          "  const r = await fetch(d.url + p); const t = await r.text(); console.log(r.status, p.startsWith('api') ? JSON.parse(t).total : p.startsWith('vendor') ? JSON.parse(t).error : t.length > 100); }",
          'await d.close(); await store.close();',
        ].join('\n'),
      ],
      app,
    );
    expect(ui.stderr).toBe('');
    expect(ui.stdout.trim().split('\n')).toEqual([
      '200 true',
      '200 true',
      '200 true',
      '200 12',
      '501 the dashboard draws plots with vega, which is not installed; run `npm install vega vega-lite`',
    ]);
  });

  it('loads algorithm modules (.mjs, and .ts once tsx is installed) and the training subpath from the package', () => {
    const training = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const t = await import('hpo-workbench/training'); console.log(typeof t.buildJobManifest, typeof t.LocalDistributedExecutor);",
      ],
      app,
    );
    expect(training.stdout.trim()).toBe('function function');
    const algorithm = `export default {
  name: 'upward',
  validate: () => [],
  suggest: (req) => ({ suggestions: Array.from({ length: req.count }, (_, i) => ({ params: { x: (req.trials.length + i) / 10 } })) }),
};
`;
    writeFileSync(join(app, 'upward.mjs'), algorithm);
    writeFileSync(join(app, 'upward.ts'), algorithm.replace('(req)', '(req: { count: number; trials: unknown[] })'));
    const yaml = (ext: string) =>
      readFileSync(join(app, 'quickstart', 'experiment.yaml'), 'utf8')
        .replace(/name: quickstart/, `name: upward-${ext}`)
        .replace(/algorithmName: sobol/, 'algorithmName: upward')
        .replace(/- name: random_state\n\s+value: "7"/, `- name: module\n        value: ../upward.${ext}`);
    for (const ext of ['mjs', 'ts']) writeFileSync(join(app, 'quickstart', `upward-${ext}.yaml`), yaml(ext));
    const mjs = run('npx', ['hpo', 'validate', 'quickstart/upward-mjs.yaml'], app);
    expect(mjs.stderr).toBe('');
    expect(mjs.status).toBe(0);
    // Without tsx (an optional peer) a TypeScript module is refused with the install line, exit 2.
    const noTsx = run('npx', ['hpo', 'validate', 'quickstart/upward-ts.yaml'], app);
    expect(noTsx.status).toBe(2);
    expect(noTsx.stderr).toContain('npm install --save-dev tsx');
    // With tsx installed beside the package (linked from ours), the same module validates.
    symlinkSync(join(repo, 'node_modules', 'tsx'), join(app, 'node_modules', 'tsx'));
    try {
      const withTsx = run('npx', ['hpo', 'validate', 'quickstart/upward-ts.yaml'], app);
      expect(withTsx.stderr).toBe('');
      expect(withTsx.status).toBe(0);
    } finally {
      rmSync(join(app, 'node_modules', 'tsx'));
    }
  });
});
