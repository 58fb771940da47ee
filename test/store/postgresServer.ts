// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, pg_ctl start on a free port (its unix
// socket in the same folder), removed again at the end. Works as root (initdb refuses root, so the cluster runs as
// the `postgres` user via runuser) and as a normal user. Missing binaries fail loudly: nothing is skipped.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running cluster: its admin URL, a fresh database per call, and how to stop it. */
export interface PostgresServer {
  /** URL of database `db` on this cluster (as the superuser `postgres`, trust authentication). */
  readonly url: (db: string) => string;
  /** Creates a fresh empty database and returns its URL. */
  readonly createDatabase: () => Promise<string>;
  /** Stops the cluster and removes its folder. */
  readonly stop: () => void;
}

/** The folder holding initdb and pg_ctl: the newest /usr/lib/postgresql/<version>/bin that has them. */
export function postgresBinaries(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      `PostgreSQL server binaries not found under ${base}/*/bin (initdb, pg_ctl): run \`npm run setup\` (it installs Debian's postgresql)`,
    );
  }
  return join(base, newest, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

let databases = 0;

/** Starts a cluster (about a second); call `stop` in afterAll. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'hpo-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // As root the cluster belongs to `postgres`; the folder must be theirs (mkdtemp made it 0700 for root).
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: readonly string[]): void => {
    const command = asRoot ? 'runuser' : join(bin, tool);
    const full = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : [...args];
    execFileSync(command, full, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // Durability is not under test: without fsync the cluster is faster and spares the shared disk.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`cannot start a PostgreSQL cluster with ${bin}: ${(e as Error).message}\n${stderr}`);
  }
  const url = (db: string): string => `postgresql://postgres@127.0.0.1:${port}/${db}`;
  return {
    url,
    createDatabase: async () => {
      const name = `hpo_test_${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
