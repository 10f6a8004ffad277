// What the PostgreSQL store's own tests (postgres.test.ts, postgres-outage.test.ts) open and write.
import { onTestFinished } from 'vitest';
import type { DocumentRecord, SharedJournalStore } from '../src/index.js';
import { openPostgresStore, type PostgresStoreOptions } from '../src/postgres.js';
import { ACTION } from './fake-batch-idp.js';

/** Batch `b1` of the store at `url` (a lease of a minute), closed after the test. */
export async function openStore(
  url: string,
  extra: Partial<PostgresStoreOptions> = {},
): Promise<SharedJournalStore> {
  const store = await openPostgresStore({ url, batch: 'b1', action: ACTION, leaseMs: 60_000, ...extra });
  onTestFinished(() => store.close());
  return store;
}

/** Document `n`'s record, in `state`. */
export function docRecord(n: number, state: DocumentRecord['state'] = 'queued'): DocumentRecord {
  return {
    key: `hash${n}:${ACTION.actionId}:${ACTION.actionVersion}`,
    hash: `hash${n}`,
    path: `/in/doc-${n}.pdf`,
    fileName: `doc-${n}.pdf`,
    state,
    updatedAt: new Date(0).toISOString(),
  };
}
