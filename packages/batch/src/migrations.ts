/**
 * The PostgreSQL store's schema, as numbered migrations. A worker applies the ones its database lacks
 * when it opens the store (under an advisory lock, in one transaction), and refuses a database whose
 * schema is newer than it knows. Never edit a released migration: add the next number.
 * MIGRATIONS.md in this package describes each table.
 *
 * @example
 * ```ts
 * console.log(MIGRATIONS.map((m) => `${m.version} ${m.name}`).join('\n'));
 * ```
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'batches, documents and leases',
    sql: `
CREATE TABLE idp_batch_batches (
  batch text PRIMARY KEY,
  action_id text NOT NULL,
  action_version text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE idp_batch_documents (
  batch text NOT NULL REFERENCES idp_batch_batches (batch) ON DELETE CASCADE,
  key text NOT NULL,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  state text NOT NULL,
  record jsonb NOT NULL,
  parked boolean NOT NULL DEFAULT false,
  lease_owner text,
  lease_token bigint NOT NULL DEFAULT 0,
  -- '-infinity' when nobody holds it: one condition (lease_until < now()) finds every free document.
  lease_until timestamptz NOT NULL DEFAULT '-infinity',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch, key)
);
-- A claim is one short range scan per state: free documents, oldest first.
CREATE INDEX idp_batch_documents_claim ON idp_batch_documents (batch, state, lease_until, seq) WHERE NOT parked;
CREATE INDEX idp_batch_documents_owner ON idp_batch_documents (lease_owner) WHERE lease_owner IS NOT NULL;
`,
  },
  {
    version: 2,
    name: 'results outside the documents',
    sql: `
-- One row per retrieved execution: the document's record keeps only a pointer ({"result": {"bytes": n}}),
-- so that claims, counts and loads never carry results. Keyed by execution id first: a result is
-- found by its id alone, whichever batch wrote it.
CREATE TABLE idp_batch_results (
  execution_id text NOT NULL,
  batch text NOT NULL REFERENCES idp_batch_batches (batch) ON DELETE CASCADE,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (execution_id, batch)
);
`,
  },
];
