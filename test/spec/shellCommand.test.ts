import { describe, expect, it } from 'vitest';
import { foreignScriptOperand, readsScriptFromStdin, scriptOperands } from '../../src/spec/shellCommand.ts';

describe('scriptOperands', () => {
  it.each<[(string | undefined)[], number[]]>([
    [['sh', '-c', 'echo hi'], [2]],
    [['/bin/sh', '-c', 'echo hi'], [2]],
    [['bash', '-ec', 'echo hi'], [2]],
    [['bash', '-lc', 'echo hi'], [2]],
    [['/usr/bin/bash', '-x', '-c', 'echo hi', 'argv0'], [3]],
    [['bash', '-o', 'pipefail', '-c', 'echo hi'], [4]],
    [['bash', '--login', '-c', 'echo hi'], [3]],
    [['sh', '-c', '--', 'echo hi'], [3]],
    [['env', 'A=1', 'bash', '-c', 'echo hi'], [4]],
    [['env', '-i', '-u', 'X', 'sh', '-c', 'x'], [6]],
    [['busybox', 'sh', '-c', 'echo hi'], [3]],
    [['timeout', '-k', '5', '60', 'sh', '-c', 'x'], [6]],
    [['nice', '-n', '5', 'ionice', '-c', '3', 'sh', '-c', 'x'], [8]],
    [['xargs', '-0', 'sh', '-c', 'x', '_'], [4]],
    [['sudo', '-u', 'u', 'bash', '-c', 'x'], [5]],
    [['taskset', '-c', '0', 'chrt', '-f', '1', 'zsh', '-c', 'x'], [8]],
    [['su', 'user', '-c', 'x'], [3]],
    [['flock', '/tmp/l', '-c', 'x'], [3]],
    [
      ['watch', '-n', '1', 'x', 'y'],
      [3, 4],
    ],
    [
      ['eval', 'x', 'y'],
      [1, 2],
    ],
    [['A=1', 'eval', 'x'], [2]],
    [['echo', 'eval', 'x'], []],
    [['builtin', 'eval', 'x'], [2]],
    [['if', '!', 'eval', 'x'], [3]],
    [
      ['sh', '-c', 'a', 'sh', '-c', 'b'],
      [2, 5],
    ],
    [[undefined, '-c', 'x'], []],
    [['sh', '-c'], []],
    [['sh', 'script.sh'], []],
    [['python3', '-c', 'print(1)'], []],
    [['node', '-e', 'x'], []],
    [['bash', '-e', 'run.sh'], []],
    [['shell', '-c', 'x'], []],
    [['taskset', '-c', '0', 'python', 'x'], []],
  ])('%j → %j', (words, expected) => {
    expect(scriptOperands(words)).toEqual(expected);
  });
});

describe('readsScriptFromStdin', () => {
  it.each<[string[], boolean]>([
    [['sh'], true],
    [['bash', '-e'], true],
    [['sh', '-s', '--', 'a'], true],
    [['sudo', '-u', 'x', '/bin/bash'], true],
    [['bash', 'run.sh'], false],
    [['sh', '-c', 'x'], false],
    [['cat'], false],
    [['python3', '-'], false],
  ])('%j → %s', (words, expected) => {
    expect(readsScriptFromStdin(words)).toBe(expected);
  });
});

describe('foreignScriptOperand', () => {
  it.each<[string[], number | undefined]>([
    [['fish', '-c', 'x'], 2],
    [['timeout', '5', '/usr/bin/tcsh', '-c', 'x'], 4],
    [['pwsh', '-NoProfile', '-Command', 'x'], 3],
    [['sh', '-c', 'x'], undefined],
    [['fish', 'script.fish'], undefined],
  ])('%j → %s', (words, expected) => {
    expect(foreignScriptOperand(words)).toBe(expected);
  });
});
