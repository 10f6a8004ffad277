import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { postgresBinSync } from './prerequisites.js';

const run = promisify(execFile);

/** A throwaway PostgreSQL cluster on a loopback port, in a temp folder. */
export interface TestPostgres {
  /** `postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres` (password login over TCP). */
  url: string;
  /** The `postgres` user's password. */
  password: string;
  port: number;
  /** A URL for a new, empty database of this cluster. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once (as a crash would), keeping its files. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same files. */
  restart(): Promise<void>;
  /** Stops it and deletes its folder. */
  close(): Promise<void>;
}

/** The folder of `initdb` and `pg_ctl` (see `postgresBinSync`), or undefined when none is found. */
export async function postgresBin(): Promise<string | undefined> {
  return postgresBinSync();
}

/** The `postgres` user's ids (the Debian package creates it). */
async function chownIds(): Promise<{ uid: number; gid: number }> {
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a new cluster: `initdb` in a temp folder and `pg_ctl start` on a free loopback port, as the
 * `postgres` user when running as root (PostgreSQL refuses root). No system service is touched.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = await postgresBin();
  if (!bin) {
    const given = process.env.IDP_TEST_PG_BIN;
    throw new Error(
      given
        ? `PostgreSQL not found: no initdb in IDP_TEST_PG_BIN=${given}`
        : 'PostgreSQL not found: apt-get install -y postgresql, or set IDP_TEST_PG_BIN to the folder of initdb and pg_ctl',
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'idp-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await chownIds() : undefined;
  if (owner) {
    await chown(dir, owner.uid, owner.gid);
    await chmod(dir, 0o700);
  }
  const as = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  const password = 'idp-test-pg-secret';
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, password);
  if (owner) await chown(pwfile, owner.uid, owner.gid);
  // Password logins over TCP (so a wrong password can be tested); the socket trusts, for psql here.
  await as('initdb', [
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--no-sync',
    '-D',
    data,
  ]);
  let port = await freePort();
  const log = join(dir, 'log');
  const start = () =>
    as('pg_ctl', [
      '-D',
      data,
      '-l',
      log,
      '-w',
      '-t',
      '60',
      '-o',
      // fsync off: a throwaway cluster need not survive the machine crashing, only its own processes
      // (the outage tests stop it with -m immediate); commits still reach the OS before they return.
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off`,
      'start',
    ]);
  const stop = (mode: 'immediate' | 'fast') =>
    as('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']).catch(() => undefined);
  // The port was free a moment ago; another program may have taken it since (many test servers start
  // at once): then take another, rather than fail the run.
  for (let tries = 1; ; tries++) {
    const seen = (await readFile(log, 'utf8').catch(() => '')).length;
    try {
      await start();
      break;
    } catch (error) {
      const said = (await readFile(log, 'utf8').catch(() => '')).slice(seen);
      if (tries >= 5 || !/could not bind|already in use/i.test(said)) throw error;
      port = await freePort();
    }
  }
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  return {
    url: `${base}/postgres`,
    password,
    port,
    async createDatabase(name) {
      await as('psql', [
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-q',
        '-c',
        `CREATE DATABASE "${name}"`,
      ]);
      return `${base}/${name}`;
    },
    async kill() {
      await stop('immediate');
    },
    async restart() {
      await start();
    },
    async close() {
      await stop('immediate');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
