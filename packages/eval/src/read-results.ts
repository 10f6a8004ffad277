import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { OUTPUT_FILES } from '@idp-kit/batch';
import { EvalInputError, type ResultDocument, type ResultValue } from './inputs.js';

function toValue(raw: unknown): ResultValue | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const f = raw as Record<string, unknown>;
  if (typeof f.name !== 'string') return undefined;
  // As batch writes it (text or null, a numeric score): the parsed object itself, no copy per value.
  if (
    (typeof f.value === 'string' || f.value === null) &&
    (f.confidence === undefined || typeof f.confidence === 'number') &&
    (f.table === undefined || typeof f.table === 'string') &&
    (f.row === undefined || typeof f.row === 'number') &&
    (f.kind === undefined || typeof f.kind === 'string')
  )
    return f as unknown as ResultValue;
  const value = typeof f.value === 'string' ? f.value : f.value == null ? null : JSON.stringify(f.value);
  // Assigned, not spread: this runs once per value of a batch.
  const out: ResultValue = { name: f.name, value };
  if (typeof f.kind === 'string') out.kind = f.kind;
  if (typeof f.confidence === 'number') out.confidence = f.confidence;
  if (typeof f.table === 'string') out.table = f.table;
  if (typeof f.row === 'number') out.row = f.row;
  return out;
}

/**
 * One line of `results.jsonl` as a {@link ResultDocument}; throws with the line number when it is not
 * a result.
 *
 * @example
 * ```ts
 * parseResultLine('{"file":"/in/a.pdf","hash":"ab…","fields":[]}', 1); // { file: '/in/a.pdf', hash: 'ab…', fields: [] }
 * ```
 */
export function parseResultLine(line: string, number: number, source = 'results.jsonl'): ResultDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new EvalInputError(
      `${source} line ${number} is not JSON: give a batch folder or its results.jsonl`,
    );
  }
  const r = raw as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || typeof r.file !== 'string') {
    throw new EvalInputError(`${source} line ${number} has no "file": is it a batch's results.jsonl?`);
  }
  const fields = Array.isArray(r.fields) ? r.fields.flatMap((f) => toValue(f) ?? []) : [];
  return { file: r.file, ...(typeof r.hash === 'string' ? { hash: r.hash } : {}), fields };
}

/**
 * A batch's results one document at a time, as the file is read (from its folder's `results.jsonl`, or
 * the file itself): nothing is held once the caller lets a document go. Throws {@link EvalInputError}
 * when it is missing or a line is not a result.
 *
 * @example
 * ```ts
 * for await (const doc of eachResult('batch-out')) console.log(doc.file, doc.fields.length);
 * ```
 */
export async function* eachResult(path: string): AsyncGenerator<ResultDocument> {
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new EvalInputError(`${path} is neither a batch folder nor a results.jsonl: check the path`);
  const file = info.isDirectory() ? join(path, OUTPUT_FILES.results) : path;
  if (info.isDirectory() && !(await stat(file).catch(() => undefined))) {
    throw new EvalInputError(
      `${path} has no ${OUTPUT_FILES.results}: run idp batch run --confidence into it first`,
    );
  }
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    yield parseResultLine(line, number, file);
  }
}

/**
 * A batch's results: from its folder (its `results.jsonl`) or the `results.jsonl` itself, read line by
 * line (a batch of 100,000 documents is a large file). Throws {@link EvalInputError} when it is missing
 * or a line is not a result.
 *
 * @example
 * ```ts
 * const results = await readResults('batch-out');
 * ```
 */
export async function readResults(path: string): Promise<ResultDocument[]> {
  const out: ResultDocument[] = [];
  for await (const doc of eachResult(path)) out.push(doc);
  return out;
}
