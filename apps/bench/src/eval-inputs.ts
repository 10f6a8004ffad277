/**
 * What the eval and diff benches share: their flags, a seeded random source (every run measures the same
 * files), the baseline reads (a results.jsonl line by line with JSON.parse; a CSV with csv-parse) and the
 * median of a few runs.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';

/** `--name <number>` from the command line, else `fallback`. */
export const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

/** Seeded, so every run measures the same files. */
export function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** The baseline for a results file: each line parsed, its fields counted (so the parse is not dropped). */
export async function parseLines(path: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const line of lines) if (line) n += (JSON.parse(line) as { fields: unknown[] }).fields.length;
  return n;
}

/** The baseline for a truth file: its rows parsed with csv-parse. */
export async function parseCsvRows(path: string): Promise<number> {
  return (parse(await readFile(path, 'utf8'), { columns: true }) as unknown[]).length;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
