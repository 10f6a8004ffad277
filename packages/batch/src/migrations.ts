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
    name: 'documents by key across batches',
    sql: `
-- Before each upload a worker looks for the same document in the store's other batches (never paid twice).
CREATE INDEX idp_batch_documents_key ON idp_batch_documents (key);
`,
  },
  {
    version: 3,
    name: 'documents per state, counted as they change',
    sql: `
-- Documents per batch and state, kept by the writes themselves, so that a worker's census reads a few
-- rows instead of the whole batch every second. Each connection adds to its own shard (its backend pid
-- modulo 16), so concurrent writers do not queue on one counter row; a reader sums the shards.
CREATE TABLE idp_batch_counts (
  batch text NOT NULL REFERENCES idp_batch_batches (batch) ON DELETE CASCADE,
  state text NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (batch, state, shard)
);
CREATE FUNCTION idp_batch_count_states() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  -- One document's move from one state to another. The two counters are taken in one order (by state
  -- name), so that two writers never wait on each other in a cycle. A batch being removed (cascade)
  -- is left alone.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM idp_batch_batches b WHERE b.batch = OLD.batch) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.state < NEW.state) THEN
    INSERT INTO idp_batch_counts AS c VALUES (OLD.batch, OLD.state, pg_backend_pid() % 16, -1)
    ON CONFLICT (batch, state, shard) DO UPDATE SET n = c.n - 1;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO idp_batch_counts AS c VALUES (NEW.batch, NEW.state, pg_backend_pid() % 16, 1)
    ON CONFLICT (batch, state, shard) DO UPDATE SET n = c.n + 1;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.state > NEW.state THEN
    INSERT INTO idp_batch_counts AS c VALUES (OLD.batch, OLD.state, pg_backend_pid() % 16, -1)
    ON CONFLICT (batch, state, shard) DO UPDATE SET n = c.n - 1;
  END IF;
  RETURN NULL;
END
$fn$;
-- Row triggers that fire only when a state changes: a lease's renewal or a claim costs nothing more.
CREATE TRIGGER idp_batch_count_insert AFTER INSERT ON idp_batch_documents
  FOR EACH ROW EXECUTE FUNCTION idp_batch_count_states();
CREATE TRIGGER idp_batch_count_update AFTER UPDATE OF state ON idp_batch_documents
  FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION idp_batch_count_states();
CREATE TRIGGER idp_batch_count_delete AFTER DELETE ON idp_batch_documents
  FOR EACH ROW EXECUTE FUNCTION idp_batch_count_states();
-- The documents already there (the migration runs under its advisory lock, in one transaction).
INSERT INTO idp_batch_counts (batch, state, shard, n)
SELECT batch, state, 0, count(*) FROM idp_batch_documents GROUP BY batch, state;
`,
  },
  {
    version: 4,
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
  {
    version: 5,
    name: 'results kept at review',
    sql: `
-- With --until final a batch keeps two results of an execution that went to a reviewer: the one seen at
-- MANUAL_VALIDATION_REQUIRED ('review': the values before the review) and the final one ('final': after
-- it), so that idp eval harvest can turn the reviewers' corrections into ground truth. Rows already there
-- are final results. ADD COLUMN with a constant default rewrites nothing (PostgreSQL 11 or newer).
ALTER TABLE idp_batch_results ADD COLUMN kind text NOT NULL DEFAULT 'final'
  CONSTRAINT idp_batch_results_kind CHECK (kind IN ('final', 'review'));
ALTER TABLE idp_batch_results DROP CONSTRAINT idp_batch_results_pkey;
ALTER TABLE idp_batch_results ADD PRIMARY KEY (execution_id, batch, kind);
`,
  },
  {
    version: 6,
    name: 'callbacks: nonces and nudges',
    sql: `
-- With callbacks, each upload's record keeps the SHA-256 of its callback nonce ("nonceHash"): any worker
-- that receives a callback finds the document by it. Partial: batches without callbacks index nothing.
CREATE INDEX idp_batch_documents_nonce ON idp_batch_documents ((record->>'nonceHash'))
  WHERE record ? 'nonceHash';
-- A callback received by a worker that does not wait on the document: marked here for the worker that
-- holds it, which reads and clears its marks a few times a second. ADD COLUMN with a constant default
-- rewrites nothing (PostgreSQL 11 or newer).
ALTER TABLE idp_batch_documents ADD COLUMN called_back boolean NOT NULL DEFAULT false;
`,
  },
  {
    version: 7,
    name: 'one rate budget per batch',
    sql: `
-- The token bucket every worker of a batch takes from (--rate): one row, updated by one statement per
-- take. Times are milliseconds of the database's clock (one clock for the fleet). A 429 halves the rate
-- (factor) until cut_until; cut_at is when it was last cut. granted is the last take's answer.
CREATE TABLE idp_batch_rate (
  batch text PRIMARY KEY REFERENCES idp_batch_batches (batch) ON DELETE CASCADE,
  per_second double precision NOT NULL,
  burst double precision NOT NULL,
  tokens double precision NOT NULL,
  at double precision NOT NULL,
  factor double precision NOT NULL DEFAULT 1,
  cut_until double precision NOT NULL DEFAULT 0,
  cut_at double precision NOT NULL DEFAULT 0,
  granted double precision NOT NULL DEFAULT 0
);
`,
  },
];
