// What PostgreSQL spends, for the workers and rate benches: its processes' CPU, and the database's counters.
import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';

/** CPU time (µs) of every PostgreSQL server process, from /proc. */
export async function postgresCpuUs(): Promise<number> {
  const tick = 1_000_000 / 100; // USER_HZ
  let total = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const comm = /\(([^)]*)\)/.exec(stat)?.[1] ?? '';
    if (comm !== 'postgres') continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * tick;
  }
  return total;
}

/** The database's committed transactions, and rows read (returned by scans, fetched by index). */
export async function databaseStats(url: string): Promise<{ commits: number; rowsRead: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The statistics are sent by each backend when it goes idle: ask for a fresh snapshot.
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: string; r: string }>(
    `SELECT xact_commit AS n, tup_returned + tup_fetched AS r FROM pg_stat_database WHERE datname = current_database()`,
  );
  await client.end();
  return { commits: Number(rows[0]?.n ?? 0), rowsRead: Number(rows[0]?.r ?? 0) };
}
