// Without the optional `pg` package a postgresql:// store fails with `unsupported`, naming the package to install.
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../src/common/errors.ts';
import { caught } from '../helpers.ts';

vi.mock('node:module', async (original) => {
  const real = await original<typeof import('node:module')>();
  return {
    ...real,
    createRequire: (from: string | URL) => {
      const require = real.createRequire(from);
      return (id: string): unknown => {
        if (id === 'pg') throw Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' });
        return require(id);
      };
    },
  };
});

describe('a PostgreSQL store without pg installed', () => {
  it('is refused as unsupported, saying which package to install, without the password', async () => {
    const { openStore } = await import('../../src/store/open.ts');
    const e = caught(() => openStore('postgresql://u:secret@db/hpo'));
    expect(e.code).toBe(ErrorCode.unsupported);
    expect(e.message).toContain("npm package 'pg'");
    expect(e.message).toContain('npm install pg');
    expect(e.message).not.toContain('secret');
  });
});
