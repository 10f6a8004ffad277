// A throwaway PostgreSQL cluster for tests, without fsync: global-setup.ts starts one for the whole run
// (shared-postgres.ts), and a test that stops its server starts one of its own.
import { postgresMissing, startPostgres, type TestPostgres } from '@idp-kit/testkit';
import pg from 'pg';

/**
 * Turns off `fsync` (in `postgresql.auto.conf`, so it outlives a restart). Every commit otherwise waits
 * for the disk: about 7 ms each on these machines, which made the many-workers test spend minutes in
 * fsync. A test may still stop the server at once (`kill()`): the WAL is written to the kernel at each
 * commit, and only a crash of the machine itself could lose it.
 */
async function noFsync(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ALTER SYSTEM SET fsync = off');
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

/**
 * A cluster of the test's own (testkit's `startPostgres`, without fsync): for tests that stop and
 * restart the server, which would pull the shared one from under every other file.
 *
 * @example
 * ```ts
 * let server: TestPostgres;
 * beforeAll(async () => { server = await ownPostgres(); });
 * afterAll(() => server?.close());
 * ```
 */
export async function ownPostgres(): Promise<TestPostgres> {
  const server = await startPostgres();
  try {
    await noFsync(server.url);
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}

/** For global-setup.ts: the run's cluster, or undefined when PostgreSQL is not installed here. */
export async function startSharedPostgres(): Promise<TestPostgres | undefined> {
  if (await postgresMissing('the PostgreSQL store tests')) return undefined;
  return ownPostgres();
}
