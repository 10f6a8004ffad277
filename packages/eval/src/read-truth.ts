import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CsvError, parse } from 'csv-parse/sync';
import { EvalInputError, type TruthRow } from './inputs.js';

function cell(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Truth rows from CSV text: a `file` column, then one column per field; an empty cell is a value not on
 * the document. Throws {@link EvalInputError} naming the line of a malformed row.
 *
 * @example
 * ```ts
 * parseTruthCsv('file,total\ninvoice-1.pdf,120.00\n'); // [{ file: 'invoice-1.pdf', fields: { total: '120.00' }, line: 2 }]
 * ```
 */
export function parseTruthCsv(text: string, source = 'truth'): TruthRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, bom: true, skip_empty_lines: true, info: true }) as typeof records;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new EvalInputError(
        `${source}${line ? ` line ${line}` : ''} is not valid CSV (${error.message.replace(/^Invalid [^:]*: /, '')}): fix that line`,
      );
    }
    throw error;
  }
  const rows: TruthRow[] = [];
  for (const { record, info } of records) {
    if (!('file' in record))
      throw new EvalInputError(
        `${source} has no "file" column: the first row must name file, then the fields`,
      );
    const file = record.file;
    if (!file?.trim())
      throw new EvalInputError(`${source} line ${info.lines} has an empty "file": name the document`);
    // A plain loop: this runs once per cell of the truth file.
    const fields: Record<string, string | null> = {};
    for (const key in record) if (key !== 'file') fields[key] = cell(record[key]);
    rows.push({ file, fields, line: info.lines });
  }
  return rows;
}

/**
 * One line of truth JSONL: `{"file": …, "fields": {name: value}, "tables": {name: [{column: value}]}}`.
 *
 * @example
 * ```ts
 * parseTruthLine('{"file":"a.pdf","fields":{"total":120}}', 1); // { file: 'a.pdf', fields: { total: '120' }, tables: {}, line: 1 }
 * ```
 */
export function parseTruthLine(line: string, number: number, source = 'truth'): TruthRow {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new EvalInputError(
      `${source} line ${number} is not JSON: each line must be one {"file": …, "fields": {…}} object`,
    );
  }
  if (!isRecord(raw) || typeof raw.file !== 'string' || raw.file.trim() === '') {
    throw new EvalInputError(`${source} line ${number} has no "file": each line needs the document's name`);
  }
  if (raw.fields !== undefined && !isRecord(raw.fields)) {
    throw new EvalInputError(`${source} line ${number}: "fields" must be an object of name: value`);
  }
  const fields = Object.fromEntries(Object.entries(raw.fields ?? {}).map(([k, v]) => [k, cell(v)]));
  const tables: Record<string, Record<string, string | null>[]> = {};
  if (raw.tables !== undefined && !isRecord(raw.tables)) {
    throw new EvalInputError(`${source} line ${number}: "tables" must be an object of name: [rows]`);
  }
  for (const [name, rows] of Object.entries(raw.tables ?? {})) {
    if (!Array.isArray(rows) || !rows.every(isRecord)) {
      throw new EvalInputError(
        `${source} line ${number}: table "${name}" must be a list of {column: value} rows`,
      );
    }
    tables[name] = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)])));
  }
  return { file: raw.file, fields, tables, line: number };
}

/**
 * Truth from a CSV or JSONL file (by extension; otherwise a first `{` means JSONL). JSONL is read line
 * by line. Throws {@link EvalInputError} naming the bad line.
 *
 * @example
 * ```ts
 * const truth = await readTruth('truth.csv');
 * ```
 */
export async function readTruth(path: string): Promise<TruthRow[]> {
  const head = await readHead(path);
  const jsonl =
    /\.(jsonl|ndjson|json)$/i.test(path) || (!/\.csv$/i.test(path) && head.trimStart().startsWith('{'));
  if (!jsonl) return parseTruthCsv(await readFile(path, 'utf8'), path);
  const rows: TruthRow[] = [];
  let number = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    number++;
    if (line.trim() !== '') rows.push(parseTruthLine(line, number, path));
  }
  return rows;
}

async function readHead(path: string): Promise<string> {
  const file = await open(path).catch(() => {
    throw new EvalInputError(`cannot read the truth file ${path}: check the path`);
  });
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}
