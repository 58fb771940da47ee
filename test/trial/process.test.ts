import { readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OverlongLine } from '../../src/metrics/types.ts';
import {
  LineSplitter,
  type ProcessExit,
  resolveCommand,
  type StartTrialProcessOptions,
  startTrialProcess,
} from '../../src/trial/process.ts';
import { isAlive } from '../helpers.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/process/${name}`, import.meta.url));
const node = process.execPath;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hpo-process-'));
  await writeFile(join(dir, 'not-executable.sh'), 'echo hi\n', { mode: 0o644 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  exit: ProcessExit;
  lines: { line: string; stream: 'stdout' | 'stderr' }[];
  log: string;
  logPath: string;
}

let runs = 0;
async function run(argv: string[], extra: Partial<StartTrialProcessOptions> = {}): Promise<Run> {
  const logPath = join(dir, `run-${runs++}`, 'trial.log');
  const lines: Run['lines'] = [];
  const proc = startTrialProcess({
    argv,
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    logPath,
    onLine: (line, stream) => lines.push({ line, stream }),
    ...extra,
  });
  const exit = await proc.exited;
  return { exit, lines, log: readFileSync(logPath, 'utf8'), logPath };
}

async function waitUntilGone(pid: number, ms = 2000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return !isAlive(pid);
}

describe('startTrialProcess: exit and output', () => {
  it.each([0, 1, 3])('reports exit status %i', async (code) => {
    const { exit } = await run([node, fixture('exit.mjs'), String(code)]);
    expect(exit).toMatchObject({ exitCode: code, signal: null, timedOut: false });
    expect(exit.error).toBeUndefined();
  });

  it('delivers stdout and stderr lines in order per stream and writes both to the log', async () => {
    const { exit, lines, log } = await run([node, fixture('exit.mjs'), '0', '200']);
    const of = (stream: string) => lines.filter((l) => l.stream === stream).map((l) => l.line);
    const expected = (prefix: string) => Array.from({ length: 200 }, (_, i) => `${prefix} ${i}`);
    expect(of('stdout')).toEqual(expected('out'));
    expect(of('stderr')).toEqual(expected('err'));
    const logLines = log.split('\n').filter((l) => l !== '');
    expect(logLines.filter((l) => l.startsWith('out'))).toEqual(expected('out'));
    expect(logLines.filter((l) => l.startsWith('err'))).toEqual(expected('err'));
    expect(exit.tail).toContain('out 199');
  });

  it('joins CRLF and multi-byte UTF-8 split across chunks, and delivers a final line without newline', async () => {
    const { lines, log } = await run([node, fixture('chunks.mjs')]);
    expect(lines.map((l) => l.line)).toEqual(['plain', 'héllo 😀 end', 'no newline at end']);
    expect(log).toBe('plain\r\nhéllo 😀 end\nno newline at end');
  });

  it('passes arguments with spaces, quotes and shell syntax through byte-identical', async () => {
    const args = [
      'a b',
      '"quoted"',
      "it's",
      'x; rm -rf /',
      '$(HOME)',
      '$HOME',
      '`id`',
      '*',
      '',
      'ünï ☃',
      'tab\there',
      '--lr=0.01',
    ];
    const { lines } = await run([node, fixture('argv.mjs'), ...args]);
    expect(JSON.parse(lines[0]?.line ?? 'null')).toEqual(args);
  });

  it('truncates an existing log instead of appending', async () => {
    const logPath = join(dir, 'reused', 'trial.log');
    await mkdir(join(dir, 'reused'));
    await writeFile(logPath, 'stale output\n');
    await startTrialProcess({ argv: [node, fixture('argv.mjs'), 'fresh'], cwd: dir, env: {}, logPath }).exited;
    expect(readFileSync(logPath, 'utf8')).toBe('["fresh"]\n');
  });

  it('inherits PATH when env has none, so a bare command name resolves', async () => {
    const { exit, lines } = await run(['node', fixture('env.mjs'), 'PATH', 'ONLY_MINE'], { env: { ONLY_MINE: 'yes' } });
    expect(exit.exitCode).toBe(0);
    expect(JSON.parse(lines[0]?.line ?? '{}')).toEqual({ PATH: process.env.PATH, ONLY_MINE: 'yes' });
  });

  it('streams 50 MB of output with a bounded tail and bounded memory', async () => {
    let lineCount = 0;
    let peak = 0;
    const before = process.memoryUsage();
    const baseline = before.heapUsed + before.arrayBuffers;
    const { exit, logPath } = await run([node, fixture('flood.mjs'), '50'], {
      onLine: () => {
        lineCount++;
        if (lineCount % 20_000 === 0) {
          const m = process.memoryUsage();
          peak = Math.max(peak, m.heapUsed + m.arrayBuffers - baseline);
        }
      },
    });
    expect(exit.exitCode).toBe(0);
    const blocks = Math.ceil((50 * 1024 * 1024) / 100_000);
    expect(lineCount).toBe(blocks * 1000 + 1);
    expect(statSync(logPath).size).toBe(blocks * 100_000 + 'last line\n'.length);
    expect(Buffer.byteLength(exit.tail)).toBeLessThanOrEqual(4096);
    expect(exit.tail.endsWith(' line end\nlast line\n')).toBe(true);
    // Holding the output would cost at least 50 MB; streaming stays far below that.
    expect(peak).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('startTrialProcess: output failures', () => {
  it('still runs the program and reports outputError when the log cannot be written', async () => {
    let count = 0;
    const logPath = join(dir, 'not-executable.sh', 'trial.log'); // parent is a file
    const exit = await startTrialProcess({
      argv: [node, fixture('flood.mjs'), '1'],
      cwd: dir,
      env: {},
      logPath,
      onLine: () => {
        count++;
      },
    }).exited;
    expect(exit.exitCode).toBe(0);
    expect(exit.outputError).toMatch(/cannot write trial log/);
    expect(count).toBe(11 * 1000 + 1);
  });

  it('reports a throwing onLine callback without losing the exit status', async () => {
    const { exit } = await run([node, fixture('exit.mjs'), '2'], {
      onLine: () => {
        throw new Error('parser bug');
      },
    });
    expect(exit).toMatchObject({ exitCode: 2, outputError: 'onLine callback failed: parser bug' });
  });
});

describe('startTrialProcess: start failures', () => {
  it('resolves (never throws) with a message naming a command missing from PATH and the fix', async () => {
    const { exit, log } = await run(['no-such-trainer-xyz', '--lr', '0.1']);
    expect(exit.exitCode).toBeNull();
    expect(exit.error).toMatch(/command 'no-such-trainer-xyz' not found on PATH/);
    expect(exit.error).toMatch(/spec\.trialTemplate/);
    expect(log).toContain('no-such-trainer-xyz');
  });

  it.each([
    ['a missing relative path', ['./missing.sh'], /'\.\/missing\.sh' not found \(relative paths/],
    [
      'a file that is not executable',
      ['./not-executable.sh'],
      /is not executable \(permission denied\); run chmod \+x/,
    ],
    ['an empty command', [], /the trial has no command/],
    ['a NUL byte in an argument', [node, 'a\0b'], /cannot start/],
    [
      'one argument over the 128 KiB a single string may have (E2BIG)',
      [node, '-e', '0', 'x'.repeat(200 * 1024)],
      /too big \(E2BIG\); argument 3 alone is 200 KiB, over the 128 KiB/,
    ],
    [
      'an argument list over the system limit (E2BIG)',
      [node, '-e', '0', ...Array.from({ length: 40_000 }, (_, i) => `--p${i}=${'9'.repeat(60)}`)],
      /the system refused its 40003 arguments \(\d+ KiB\) and \d+ environment variables .* too big \(E2BIG\)\. Pass fewer/,
    ],
  ])('explains %s', async (_what, argv, pattern) => {
    const { exit } = await run(argv);
    expect(exit.error).toMatch(pattern);
    expect(exit.exitCode).toBeNull();
  });

  it('names a missing working directory', async () => {
    const { exit } = await run([node, fixture('argv.mjs')], { cwd: join(dir, 'does-not-exist') });
    expect(exit.error).toMatch(/working directory .*does-not-exist' does not exist/);
  });

  it('returns pid 0 and a stop() that resolves when the program never started', async () => {
    const proc = startTrialProcess({
      argv: ['no-such-trainer-xyz'],
      cwd: dir,
      env: {},
      logPath: join(dir, 'nostart.log'),
    });
    expect(proc.pid).toBe(0);
    expect((await proc.stop('user')).error).toMatch(/not found/);
  });
});

describe('startTrialProcess: deadline and stop', () => {
  it('SIGKILLs live trial groups when the controller process exits', async () => {
    // tsx resolves from the working directory, so run from the repository root.
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const { exit, lines } = await run([node, '--import', 'tsx', fixture('orphan-parent.ts'), join(dir, 'orphan.log')], {
      cwd: root,
    });
    const orphan = Number(lines[0]?.line);
    expect(orphan, exit.tail).toBeGreaterThan(0);
    expect(await waitUntilGone(orphan)).toBe(true);
  });

  it('kills the whole process group on timeout, grandchild included', async () => {
    let grandchild = 0;
    const started = Date.now();
    const { exit } = await run(['sh', '-c', 'sleep 100 & echo $!; sleep 100'], {
      timeoutMs: 300,
      onLine: (line) => {
        grandchild = Number(line);
      },
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exit).toMatchObject({ timedOut: true, signal: 'SIGTERM', exitCode: null });
    expect(exit.stoppedReason).toBeUndefined();
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it('kills what the program left running in its group when it exits, like a container', async () => {
    let grandchild = 0;
    const { exit } = await run(['sh', '-c', 'sleep 100 & echo $!; exit 3'], {
      onLine: (line) => {
        grandchild = Number(line);
      },
    });
    expect(exit).toMatchObject({ exitCode: 3, timedOut: false });
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it('sends SIGTERM, then SIGKILL after the grace period to a program that ignores SIGTERM', async () => {
    const lines: string[] = [];
    const proc = startTrialProcess({
      argv: [node, fixture('trap-term.mjs')],
      cwd: dir,
      env: {},
      logPath: join(dir, 'trap.log'),
      graceMs: 300,
      onLine: (line) => {
        lines.push(line);
        if (line === 'ready') void proc.stop('early stopped by medianstop');
      },
    });
    const exit = await proc.exited;
    expect(exit).toMatchObject({ signal: 'SIGKILL', timedOut: false, stoppedReason: 'early stopped by medianstop' });
    expect(lines).toEqual(['ready', 'got SIGTERM']);
    expect(isAlive(proc.pid)).toBe(false);
  });

  it('lets a program that handles SIGTERM exit on its own within the grace period', async () => {
    let markReady = (): void => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    const proc = startTrialProcess({
      argv: [node, fixture('trap-term.mjs'), 'graceful'],
      cwd: dir,
      env: {},
      logPath: join(dir, 'graceful.log'),
      graceMs: 10_000,
      onLine: (line) => {
        if (line === 'ready') markReady();
      },
    });
    await ready;
    const [first, second] = await Promise.all([proc.stop('user'), proc.stop('second reason')]);
    expect(first).toMatchObject({ exitCode: 7, signal: null, stoppedReason: 'user' });
    expect(second).toBe(first);
  });
});

describe('LineSplitter', () => {
  const split = (chunks: (string | number[])[], max?: number): { lines: string[]; overlong: OverlongLine[] } => {
    const lines: string[] = [];
    const overlong: OverlongLine[] = [];
    const splitter = new LineSplitter((l) => lines.push(l), {
      ...(max === undefined ? {} : { maxLength: max }),
      onOverlong: (l) => overlong.push(l),
    });
    for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
    splitter.end();
    return { lines, overlong };
  };

  it.each<[string, (string | number[])[], string[], number?]>([
    ['simple lines', ['a\nb\n'], ['a', 'b']],
    ['a line across chunks', ['ab', 'c\nd'], ['abc', 'd']],
    ['CRLF split between chunks', ['a\r', '\nb\r\n'], ['a', 'b']],
    ['a lone CR stays in the line', ['50%\r60%\n'], ['50%\r60%']],
    ['empty lines kept', ['\n\nx\n'], ['', '', 'x']],
    ['no trailing line after a final newline', ['x\n'], ['x']],
    ['UTF-8 split byte by byte', [[0xe2], [0x98], [0x83, 0x0a]], ['☃']],
    ['a line exactly at the cap is kept', ['abcde\n'], ['abcde'], 5],
  ])('%s', (_name, chunks, expected, max) => {
    expect(split(chunks, max)).toEqual({ lines: expected, overlong: [] });
  });

  it.each<[string, (string | number[])[], string[], OverlongLine[], number]>([
    [
      'a long line across chunks, the next line intact',
      ['abcdefgh', 'ij\nok\n'],
      ['ok'],
      [{ bytes: 10, offset: 0 }],
      5,
    ],
    ['offsets count bytes of earlier lines', ['é\n', 'x'.repeat(9), '\ny'], ['é', 'y'], [{ bytes: 9, offset: 3 }], 5],
    ['an over-long last line without a newline', ['ok\nabcdefgh'], ['ok'], [{ bytes: 8, offset: 3 }], 5],
    ['multi-byte characters are counted in bytes', ['ab😀cd\n'], [], [{ bytes: 8, offset: 0 }], 3],
  ])('%s: skipped whole and reported', (_name, chunks, lines, overlong, max) => {
    expect(split(chunks, max)).toEqual({ lines, overlong });
  });
});

describe('resolveCommand', () => {
  it.each([
    ['python3', { HPO_PYTHON: '/usr/bin/python3' }, '/usr/bin/python3'],
    ['python', { HPO_PYTHON: '/opt/py/bin/python' }, '/opt/py/bin/python'],
    ['python3.11', { HPO_PYTHON: '/usr/bin/python3' }, 'python3.11'],
    ['/usr/local/bin/python3', { HPO_PYTHON: '/usr/bin/python3' }, '/usr/local/bin/python3'],
    ['node', { HPO_PYTHON: '/usr/bin/python3' }, 'node'],
    ['python3', { HPO_PYTHON: '' }, 'python3'],
  ])('%s with %j -> %s', (argv0, env, expected) => {
    expect(resolveCommand(argv0, env)).toBe(expected);
  });

  it('falls back to process.env.HPO_PYTHON and is applied by startTrialProcess', async () => {
    const saved = process.env.HPO_PYTHON;
    process.env.HPO_PYTHON = node;
    try {
      expect(resolveCommand('python3', {})).toBe(node);
      const { lines } = await run(['python3', fixture('argv.mjs'), 'via HPO_PYTHON']);
      expect(lines.map((l) => l.line)).toEqual(['["via HPO_PYTHON"]']);
    } finally {
      if (saved === undefined) delete process.env.HPO_PYTHON;
      else process.env.HPO_PYTHON = saved;
    }
  });
});
