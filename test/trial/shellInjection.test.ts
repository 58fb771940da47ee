/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: Katib's ${trialParameters.x} placeholders are data here. */
// Hostile parameter values against real /bin/sh (dash) and bash, through the path a local trial takes:
// renderTrialSpec → the primary container's env list → trialEnvironment → localCommand → spawn.
// Each run must leave no marker file behind, and every script shape must receive the exact value.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { findPrimaryContainer } from '../../src/spec/containers.ts';
import { renderTrialSpec } from '../../src/spec/template.ts';
import { type ContainerEnvVar, trialEnvironment } from '../../src/trial/env.ts';
import { localCommand } from '../../src/trial/localProcess.ts';

const V = '${trialParameters.v}';
const marker = 'pwned';
const dir = mkdtempSync(join(tmpdir(), 'hpo-shell-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const id = (v: string): string => v;
const chomp = (v: string): string => v.replace(/\n+$/, ''); // $(…) drops trailing newlines
const line = (v: string): string => `${v}\n`;

/** A script shape: its text (writing to file OUT) and what OUT must hold for value v. */
type Shape = readonly [text: string, expected: (v: string) => string];

const posixShapes: readonly Shape[] = [
  [`printf %s ${V} > OUT`, id],
  [`printf %s "${V}" > OUT`, id],
  [`printf %s '${V}' > OUT`, id],
  [`printf %s "<"${V}'>' > OUT`, (v) => `<${v}>`],
  [`x=${V}; printf %s "$x" > OUT`, id],
  [`x="$(printf %s ${V})"; printf %s "$x" > OUT`, chomp],
  [`x=\`printf %s ${V}\`; printf %s "$x" > OUT`, chomp],
  [`x="$(printf %s '${V}')"; printf %s "$x" > OUT`, chomp],
  [`printf %s "$(printf %s "${V}")" > OUT`, chomp],
  [`cat > OUT <<EOF\n${V}\nEOF`, line],
  [`cat > OUT <<'EOF'\n${V}\nEOF`, line],
  [`cat > OUT <<-"EOF"\n\t${V}\n\tEOF`, line],
  [`cat > OUT <<-EOF\n\t${V}\n\tEOF`, line],
  [`x=$(cat <<EOF\n${V}\nEOF\n); printf %s "$x" > OUT`, chomp],
  [`sh <<'EOF'\nprintf %s ${V} > OUT\nEOF`, id],
  [`sh <<EOF\nprintf %s ${V} > OUT\nEOF`, id],
  [`cat <<EOF | sh\nprintf %s ${V} > OUT\nEOF`, id],
  [`cat <<'EOF' | sh -s\nprintf %s ${V} > OUT\nEOF`, id],
  [`sh -c 'printf %s ${V} > OUT'`, id],
  [`sh -c "printf %s '${V}' > OUT"`, id],
  [`timeout 10 sh -ec 'printf %s "${V}" > OUT'`, id],
  [`sh -c 'sh -c "printf %s \\"${V}\\" > OUT"'`, id],
  [`eval "printf %s ${V} > OUT"`, id],
  [`command eval "printf %s ${V} > OUT"`, id],
  [`echo 'printf %s ${V} > OUT' | sh`, id],
  [`printf '%s\\n' "printf %s ${V} > OUT" | sh -s`, id],
  [`"$0" -c 'printf %s ${V} > OUT'`, id],
  [`eval 'printf %s ${V}' '> OUT'`, id],
  [`printf %s ok > OUT # ${V}`, () => 'ok'],
  [`printf %s "\${HPO_UNSET_X:-${V}}" > OUT`, id],
  [`printf %s \${HPO_UNSET_X:-${V}} > OUT`, id],
  [`sh -c 'printf %s "$1" > OUT' _ ${V}`, id],
  [`case ${V} in *) printf %s ${V} > OUT;; esac`, id],
  [`f() { printf %s "$1" > OUT; }; f ${V}`, id],
  [`printf %s ${V}${V} > OUT`, (v) => v + v],
  [`if true; then printf '%s' "${V}" > OUT; fi`, id],
];

const bashShapes: readonly Shape[] = [
  [`printf %s $'[${V}]' > OUT`, (v) => `[${v}]`],
  [`cat <<< ${V} > OUT`, line],
  [`bash <<< 'printf %s ${V} > OUT'`, id],
  [`[[ ${V} == "${V}" ]] && printf %s yes > OUT`, () => 'yes'],
  [`bash -c $'printf %s ${V} > OUT'`, id],
  [`x=( ${V} ); printf %s "\${x[0]}" > OUT`, id],
  [`bash -c "bash -c 'printf %s ${V} > OUT'"`, id],
  [`bash <<'EOF'\nx=$(cat <<'IN'\n${V}\nIN\n)\nprintf %s "$x" > OUT\nEOF`, chomp],
];

/** Shapes where the value's exact arrival is not checked (echo mangles some values), only that nothing runs. */
const markerOnlyShapes: readonly string[] = [
  `echo ${V}`,
  `x="$(echo ${V})"`,
  `echo "$(echo ${V})"`,
  `echo "\`echo '${V}'\`"`,
  `: <<EOF\n${V}\nEOF`,
];

/** Values built to break out of each shape. */
const hostile: readonly string[] = [
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `a; touch ${marker}`,
  `'; touch ${marker}; '`,
  `"; touch ${marker}; "`,
  `x\ntouch ${marker}`,
  `$'\\x27'; touch ${marker}`,
  `EOF\ntouch ${marker}\nEOF`,
  `x\nEOF\ntouch ${marker}\ncat <<EOF`,
  `IN\ntouch ${marker}`,
  `\ttouch ${marker}`,
  `\${IFS}touch\${IFS}${marker}`,
  `a[$(touch ${marker})]`,
  `"'"$(touch ${marker})"'"`,
  `'"'"'; touch ${marker}; '"'"'`,
  `\\'; touch ${marker}; \\'`,
  `\\"; touch ${marker}; \\"`,
  `) ; touch ${marker} ; (`,
  `}; touch ${marker}; {`,
  `$(HPO_TRIAL)`,
  `*`,
  `a  b\tc`,
  `-n`,
  `\\`,
  `$$`,
  `x\n`,
  '',
  `é ünï`,
  `# x`,
];

function job(command: readonly string[], args?: readonly string[]): Record<string, unknown> {
  const container: Record<string, unknown> = { name: 'main', image: 'busybox', command };
  if (args) container.args = args;
  return { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [container] } } } };
}

/** Renders the template for value v and runs it as the local executor would; returns the exit status. */
function runTrial(template: Record<string, unknown>, v: string): number | null {
  const rendered = renderTrialSpec({
    template,
    trialParameters: [{ name: 'v', reference: 'v' }],
    assignment: { v },
    trialName: 't',
    namespace: 'n',
  });
  const container = findPrimaryContainer(rendered, 'main')!.container;
  const containerEnv = (container.env ?? []) as ContainerEnvVar[];
  const { env } = trialEnvironment({
    experiment: 'e',
    trial: 't',
    namespace: 'n',
    workDir: dir,
    params: { v },
    containerEnv,
    // bash is slow to start without HOME (it looks the user up).
    base: { PATH: process.env.PATH, HOME: dir },
  });
  const { argv } = localCommand({ command: container, containerEnv, env, collector: { kind: 'StdOut' }, dir });
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: dir, env, input: '', timeout: 10_000, encoding: 'utf8' });
  return r.status;
}

/** One line per shape that let the marker appear or lost the value, running `shapes` as one trial each. */
function eachAlone(shell: string, shapes: readonly Shape[], v: string, wrap: (s: string) => string[]): string[] {
  return shapes.flatMap((shape) => check(shell, [shape], v, wrap));
}

/**
 * Runs all shapes as one script (each writing its own file, which keeps the suite fast); on any failure runs
 * them one by one so the message names the shape.
 */
function failures(
  shell: string,
  shapes: readonly Shape[],
  v: string,
  wrap = (s: string) => [shell, '-c', s],
): string[] {
  const bad = check(shell, shapes, v, wrap);
  return bad.length > 0 && shapes.length > 1 ? eachAlone(shell, shapes, v, wrap) : bad;
}

function check(shell: string, shapes: readonly Shape[], v: string, wrap: (s: string) => string[]): string[] {
  const outs = shapes.map((_, k) => join(dir, `out${k}`));
  for (const f of outs) rmSync(f, { force: true });
  runTrial(job(wrap(shapes.map(([text], k) => text.replaceAll('OUT', `out${k}`)).join('\n'))), v);
  const pwned = existsSync(join(dir, marker));
  rmSync(join(dir, marker), { force: true });
  const where = (text: string) => `${shell} ${JSON.stringify(shapes.length === 1 ? text : 'all shapes')}`;
  if (pwned) return [`MARKER ${where(shapes[0]?.[0] ?? '')} with ${JSON.stringify(v)}`];
  return shapes.flatMap(([text, expected], k) => {
    const out = existsSync(outs[k]!) ? readFileSync(outs[k]!, 'utf8') : undefined;
    return out === expected(v) ? [] : [`VALUE ${where(text)} with ${JSON.stringify(v)}: got ${JSON.stringify(out)}`];
  });
}

describe('parameter values in shell scripts never run as code', () => {
  it('every POSIX shape gets each hostile value exactly, under dash and bash', () => {
    const bad = hostile.flatMap((v) => [...failures('sh', posixShapes, v), ...failures('bash', posixShapes, v)]);
    expect(bad).toEqual([]);
  }, 60_000);

  it('every bash-only shape gets each hostile value exactly', () => {
    expect(hostile.flatMap((v) => failures('bash', bashShapes, v))).toEqual([]);
  }, 30_000);

  it('echo shapes run nothing', () => {
    const bad = hostile.filter((v) => {
      runTrial(job(['sh', '-c', markerOnlyShapes.join('\n')]), v);
      const pwned = existsSync(join(dir, marker));
      rmSync(join(dir, marker), { force: true });
      return pwned;
    });
    expect(bad).toEqual([]);
  });

  it.each<[string, (s: string) => string[]]>([
    ['timeout 60 sh -c', (s) => ['timeout', '60', 'sh', '-c', s]],
    ['nice -n 1 bash -ec', (s) => ['nice', '-n', '1', 'bash', '-ec', s]],
    ['env -i PATH=… sh -c', (s) => ['env', '-i', 'PATH=/usr/bin:/bin', 'sh', '-c', s]],
    ['env A=1 /bin/sh -c --', (s) => ['env', 'A=1', '/bin/sh', '-c', '--', s]],
    ['xargs sh -c', (s) => ['xargs', 'sh', '-c', s]],
    ['bash -lc', (s) => ['bash', '-lc', s]],
    ['bash -o pipefail -c', (s) => ['bash', '-o', 'pipefail', '-c', s]],
    ['stdbuf -oL setsid nohup sh -c', (s) => ['stdbuf', '-oL', 'setsid', 'nohup', 'sh', '-c', s]],
  ])('finds the script behind %s', (_name, wrap) => {
    const shapes = posixShapes.slice(0, 3).concat([posixShapes[10]!, posixShapes[16]!]);
    const bad = hostile.slice(0, 10).flatMap((v) => failures('sh', shapes, v, wrap));
    expect(bad).toEqual([]);
  });

  it('finds the script when it is in args and the shell in command', () => {
    const bad: string[] = [];
    for (const v of hostile.slice(0, 10)) {
      runTrial(job(['sh', '-c'], [`printf %s ${V} > out`]), v);
      if (existsSync(join(dir, marker)) || readFileSync(join(dir, 'out'), 'utf8') !== v) bad.push(v);
      rmSync(join(dir, 'out'), { force: true });
      rmSync(join(dir, marker), { force: true });
    }
    expect(bad).toEqual([]);
  });

  it('random hostile strings reach every shape intact (property)', () => {
    const unit = fc.constantFrom(
      ...`'"\\$\`;|&*?!#~(){}[]<> \t\n%=-x`,
      'EOF',
      '\nEOF\n',
      `touch ${marker}`,
      '$(',
      '${',
      "$'",
      '<<',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), (v) => {
        expect(failures('sh', posixShapes, v)).toEqual([]);
        expect(failures('bash', bashShapes, v)).toEqual([]);
      }),
      { numRuns: 20 },
    );
  }, 60_000);

  it('random nestings of shells, eval and here-documents run nothing and deliver the value (property)', () => {
    const leaves: Shape[] = [
      [`printf %s ${V} > OUT`, id],
      [`printf %s "${V}" > OUT`, id],
      [`printf %s '${V}' > OUT`, id],
      [`x="$(printf %s ${V})"; printf %s "$x" > OUT`, chomp],
      [`cat > OUT <<EOF\n${V}\nEOF`, line],
      [`cat > OUT <<'EOF'\n${V}\nEOF`, line],
    ];
    const leaf = fc.constantFrom(...leaves);
    // Each wrapper hands the inner script to another shell, written the way a template author would quote it.
    const single = (t: string) => `'${t.replaceAll("'", "'\\''")}'`;
    const double = (t: string) =>
      `"${t.replace(/[\\"$`]/g, '\\$&').replaceAll('\\${trialParameters.', '${trialParameters.')}"`;
    const wrappers: ((t: string, depth: number) => string)[] = [
      (t) => `sh -c ${single(t)}`,
      (t) => `sh -c ${double(t)}`,
      (t) => `timeout 10 bash -ec ${single(t)}`,
      (t) => `eval ${single(t)}`,
      (t) => `eval ${double(t)}`,
      (t, d) => `sh <<'END${d}'\n${t}\nEND${d}`,
      (t, d) =>
        `sh <<END${d}\n${t.replace(/[\\$`]/g, '\\$&').replaceAll('\\${trialParameters.', '${trialParameters.')}\nEND${d}`,
      (t) => `printf '%s\\n' ${single(t)} | sh`,
    ];
    const script = fc
      .tuple(leaf, fc.array(fc.integer({ min: 0, max: wrappers.length - 1 }), { maxLength: 3 }))
      .map(([[text, expected], ws]): Shape => [ws.reduce((inner, w, d) => wrappers[w]!(inner, d), text), expected]);
    const value = fc.constantFrom(...hostile.slice(0, 20));
    fc.assert(
      fc.property(script, value, (shape, v) => {
        expect(check('sh', [shape], v, (t) => ['sh', '-c', t])).toEqual([]);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('gives ordinary values exactly what Katib’s raw text substitution gives', () => {
    const ordinary = ['0.01', '1e-7', '-3', '128', 'adam', 'relu_v2', 'a.b-c/d:e', 'x=1'];
    const shapes: Shape[] = [
      ...posixShapes,
      [`printf %s $((${V} * 2)) > OUT`, id],
      [`/usr/bin/python3 -c 'print("${V}")' > OUT`, id],
      [`printf %s "${V}" | sh -c 'cat > OUT'`, id],
    ];
    const katib = (text: string, v: string) => text.replaceAll(V, v);
    const bad: string[] = [];
    for (const v of ordinary) {
      for (const [shell, list] of [
        ['sh', shapes],
        ['bash', bashShapes],
      ] as const) {
        const numeric = /^-?\d+$/.test(v);
        const usable = list.filter(([text]) => numeric || !text.includes('$(('));
        const script = usable.map(([text], k) => text.replaceAll('OUT', `out${k}`)).join('\n');
        const outs = (): (string | undefined)[] =>
          usable.map((_, k) => {
            const f = join(dir, `out${k}`);
            const out = existsSync(f) ? readFileSync(f, 'utf8') : undefined;
            rmSync(f, { force: true });
            return out;
          });
        spawnSync(shell, ['-c', katib(script, v)], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
        const raw = outs();
        runTrial(job([shell, '-c', script]), v);
        const ours = outs();
        usable.forEach(([text], k) => {
          if (ours[k] !== raw[k]) bad.push(`${shell} ${JSON.stringify(text)} with ${v}: ${ours[k]} vs Katib ${raw[k]}`);
        });
      }
    }
    expect(bad).toEqual([]);
  }, 30_000);

  it.each([
    ['sh', `printf %s $((${V} + 1)) > out`],
    ['bash', `(( x = ${V} + 1 )); printf %s "$x" > out`],
    ['bash', `printf %s $[${V} + 1] > out`],
  ])('%s arithmetic takes numbers and refuses anything else', (shell, script) => {
    rmSync(join(dir, 'out'), { force: true });
    runTrial(job([shell, '-c', script]), '41');
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('42');
    expect(() => runTrial(job([shell, '-c', script]), `a[$(touch ${marker})]`)).toThrow(/shell arithmetic/);
    expect(existsSync(join(dir, marker))).toBe(false);
  });

  it('leaves nothing but the outputs in the trial folder', () => {
    expect(readdirSync(dir).filter((f) => !/^out\d*$/.test(f) && f !== 'nohup.out')).toEqual([]);
  });
});
