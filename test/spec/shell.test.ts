import { describe, expect, it } from 'vitest';
import { shellQuote, shellScriptIndex } from '../../src/spec/shell.ts';

describe('shellScriptIndex', () => {
  it.each([
    [['sh', '-c', 'echo hi'], 2],
    [['/bin/sh', '-c', 'echo hi'], 2],
    [['bash', '-ec', 'echo hi'], 2],
    [['/usr/bin/bash', '-x', '-c', 'echo hi', 'argv0'], 3],
    [['bash', '-o', 'pipefail', '-c', 'echo hi'], 4],
    [['bash', '--login', '-c', 'echo hi'], 3],
    [['env', 'A=1', 'bash', '-c', 'echo hi'], 4],
    [['busybox', 'sh', '-c', 'echo hi'], 3],
    [['sh', '-c'], undefined],
    [['sh', 'script.sh'], undefined],
    [['python3', '-c', 'print(1)'], undefined],
    [['bash', '-e', 'run.sh'], undefined],
    [['shell', '-c', 'x'], undefined],
  ])('%j → %s', (argv, expected) => {
    expect(shellScriptIndex(argv)).toBe(expected);
  });
});

describe('shellQuote', () => {
  it.each([
    ['0.01', '0.01'],
    ['--lr=1e-3', '--lr=1e-3'],
    ['a,b:c/d@e%f+g', 'a,b:c/d@e%f+g'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['', "''"],
    ['$(rm -rf /)', "'$(rm -rf /)'"],
  ])('%j → %s', (value, expected) => {
    expect(shellQuote(value)).toBe(expected);
  });
});
