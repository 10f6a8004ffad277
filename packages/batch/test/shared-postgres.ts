// One throwaway PostgreSQL cluster for the whole test run (started by global-setup.ts), and a new
// database of it for each test that asks. `initdb` and a cold start cost many seconds on a busy 2-core
// machine (15 s was seen); a `CREATE DATABASE` a fraction of one.
import { randomBytes } from 'node:crypto';
import type { TestPostgres } from '@idp-kit/testkit';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

/** Runs `text` on the cluster's maintenance database. */
async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function refuse(what: string): () => Promise<never> {
  return async () => {
    throw new Error(
      `the shared PostgreSQL cluster serves every test file at once: ${what} a cluster of the test's own (ownPostgres()) instead`,
    );
  };
}

/**
 * The run's cluster as a `TestPostgres`: `createDatabase(name)` gives a new, empty database of it
 * (named `name` and a random suffix, so that files running side by side never collide), dropped after
 * the file. Stopping it is refused: `ownPostgres()` gives a cluster a test may stop. Call it at the
 * top of a test file, and skip the tests when `postgresMissing()` says why.
 *
 * @example
 * ```ts
 * const server = sharedPostgres();
 * it('…', async () => {
 *   const url = await server.createDatabase('budget');
 * });
 * ```
 */
export function sharedPostgres(): TestPostgres {
  const info = inject('batchPostgres');
  const created: string[] = [];
  afterAll(async () => {
    if (!info) return;
    // WITH (FORCE): a connection a failed test left open must not keep the database (and its disk).
    for (const name of created.splice(0))
      await admin(info.url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
  const base = info ? info.url.slice(0, info.url.lastIndexOf('/')) : '';
  return {
    url: info?.url ?? '',
    password: info?.password ?? '',
    port: info?.port ?? 0,
    async createDatabase(name) {
      if (!info) throw new Error('no PostgreSQL in this run: global-setup.ts found none (see the skips)');
      const unique = `${name}_${randomBytes(4).toString('hex')}`;
      await admin(info.url, `CREATE DATABASE "${unique}"`);
      created.push(unique);
      return `${base}/${unique}`;
    },
    kill: refuse('stop'),
    restart: refuse('restart'),
    close: refuse('close'),
  };
}
