import { confidenceScaleOf, normalizeConfidence } from './confidence.js';
import type { Geometry } from './types.js';

/**
 * One extracted value, wherever it came from.
 *
 * @example
 * ```ts
 * const totals = extractFields(execution).filter((f: ExtractedField) => f.name === 'total');
 * ```
 */
export interface ExtractedField {
  /** `field`, a table `cell`, or a `prompt` answer. */
  kind: 'field' | 'cell' | 'prompt';
  /** Field name, column name (cells) or prompt name. */
  name: string;
  /** The value as text: a non-text value (a number, a list) as JSON, `null` when there is none. */
  value: string | null;
  /** The score as the service sent it (0–100, or 0.0–1.0 per a community description). */
  confidenceScore?: number;
  /** `confidenceScore` on the 0–100 scale, the scale decided once for the whole result. */
  confidence?: number;
  geometry?: Geometry;
  /** Page it was found on, when the result came in the `pages[]` envelope. */
  page?: number | string;
  /** Table name (cells only). */
  table?: string;
  /** Row index in the table, from 0 (cells only). */
  row?: number;
  /** The question asked (prompts only). */
  prompt?: string;
}

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const GEOMETRY_KEYS = ['top', 'left', 'width', 'height'] as const;

/** A geometry with at least one of its numbers (each may be absent); anything else is dropped. */
function toGeometry(value: unknown): Geometry | undefined {
  if (!isObject(value)) return undefined;
  const geometry: Geometry = {};
  for (const key of GEOMETRY_KEYS) if (typeof value[key] === 'number') geometry[key] = value[key];
  return Object.keys(geometry).length > 0 ? geometry : undefined;
}

function entriesOf(value: unknown): [string, unknown][] {
  return isObject(value) ? Object.entries(value) : [];
}

function toField(
  raw: unknown,
  where: Pick<ExtractedField, 'kind' | 'name' | 'page' | 'table' | 'row' | 'prompt'>,
): ExtractedField | undefined {
  if (!isObject(raw)) return undefined;
  const value = raw.value;
  const field: ExtractedField = {
    ...where,
    value:
      typeof value === 'string'
        ? value
        : value === null || value === undefined
          ? null
          : JSON.stringify(value),
  };
  if (typeof raw.confidenceScore === 'number') field.confidenceScore = raw.confidenceScore;
  const geometry = toGeometry(raw.geometry);
  if (geometry) field.geometry = geometry;
  return field;
}

function collect(envelope: Loose, page: number | string | undefined, out: ExtractedField[]): void {
  const at = page === undefined ? {} : { page };
  for (const [name, raw] of entriesOf(envelope.fields)) {
    const field = toField(raw, { kind: 'field', name, ...at });
    if (field) out.push(field);
  }
  for (const [table, rows] of entriesOf(envelope.tables)) {
    if (!Array.isArray(rows)) continue;
    rows.forEach((row: unknown, index) => {
      for (const [name, raw] of entriesOf(row)) {
        const cell = toField(raw, { kind: 'cell', name, table, row: index, ...at });
        if (cell) out.push(cell);
      }
    });
  }
  for (const [name, raw] of entriesOf(envelope.prompts)) {
    if (!isObject(raw)) continue;
    const prompt = typeof raw.prompt === 'string' ? { prompt: raw.prompt } : {};
    const answer = toField(raw.answer, { kind: 'prompt', name, ...at, ...prompt });
    if (answer) out.push(answer);
  }
}

/**
 * Every extracted value as one flat list: fields, then table cells, then prompt answers, page by page
 * (`pages[]` envelope) and then from the top-level envelope. Tolerates any JSON: what is not shaped like
 * a result is skipped, never thrown on.
 *
 * @example
 * ```ts
 * for (const f of extractFields(execution)) console.log(f.table ? `${f.table}[${f.row}].${f.name}` : f.name, f.value);
 * ```
 */
export function extractFields(execution: unknown): ExtractedField[] {
  const out: ExtractedField[] = [];
  if (!isObject(execution)) return out;
  if (Array.isArray(execution.pages)) {
    for (const page of execution.pages) {
      if (!isObject(page)) continue;
      const number = typeof page.page === 'number' || typeof page.page === 'string' ? page.page : undefined;
      collect(page, number, out);
    }
  }
  collect(execution, undefined, out);
  const scores = out.flatMap((f) => (f.confidenceScore === undefined ? [] : [f.confidenceScore]));
  const scale = confidenceScaleOf(scores);
  for (const field of out) {
    if (field.confidenceScore !== undefined) {
      field.confidence = normalizeConfidence(field.confidenceScore, scale);
    }
  }
  return out;
}
