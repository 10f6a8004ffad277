import { csvCell } from '@idp-kit/batch';
import { type Execution, type ExtractedField, extractFields } from '@idp-kit/client';
import stringWidth from 'string-width';
import type { Style } from './style.js';

function show(value: string | null): string {
  if (value === null) return '(no answer)';
  return value.replace(/[\r\n\t]+/g, ' ');
}

/** Pads to a width in terminal columns: colour codes take none, wide (CJK) characters two. */
function pad(cell: string, width: number): string {
  return cell + ' '.repeat(Math.max(0, width - stringWidth(cell)));
}

/** Rows as aligned columns (terminal width aware), the last column left ragged. */
export function columns(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell));
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
  );
}

function where(field: ExtractedField): string {
  return field.page === undefined ? '' : `p.${field.page}`;
}

/**
 * Fields, then each table, then prompt answers. When scores are present a confidence column is shown
 * and values under `minConfidence` are marked.
 */
export function formatTable(execution: Execution<boolean>, style: Style, minConfidence: number): string {
  const all = extractFields(execution);
  const scored = all.some((f) => f.confidence !== undefined);
  let low = 0;
  // `confidence` is the score on 0–100 whichever scale the service used (see normalizeConfidence).
  const score = (f: ExtractedField) => {
    if (f.confidence === undefined) return scored ? '' : undefined;
    const text = f.confidence.toFixed(1);
    if (f.confidence < minConfidence) {
      low++;
      return style.warn(`${text} !`);
    }
    return text;
  };
  const statusStyle =
    execution.status === 'SUCCEEDED' ? style.ok : execution.status === 'FAILED' ? style.bad : style.warn;
  const out = [
    `${style.bold(execution.documentName ?? '')} ${style.dim(execution.id ?? '')}`,
    `Status: ${statusStyle(execution.status)}`,
  ];
  if (all.length === 0) {
    out.push('', style.dim('(no results)'));
    return out.join('\n');
  }
  const fields = all.filter((f) => f.kind === 'field');
  if (fields.length > 0) {
    out.push('', style.bold('Fields'));
    out.push(
      ...columns(
        fields.map((f) =>
          [f.name, show(f.value), where(f), score(f)].filter((c): c is string => c !== undefined),
        ),
      ),
    );
  }
  const tables = new Map<string, ExtractedField[]>();
  for (const cell of all.filter((f) => f.kind === 'cell')) {
    const key = `${cell.table}${cell.page === undefined ? '' : ` (p.${cell.page})`}`;
    tables.set(key, [...(tables.get(key) ?? []), cell]);
  }
  for (const [name, cells] of tables) {
    const headers = [...new Set(cells.map((c) => c.name))];
    const rows = new Map<number, ExtractedField[]>();
    for (const cell of cells) rows.set(cell.row ?? 0, [...(rows.get(cell.row ?? 0) ?? []), cell]);
    const body = [...rows.entries()].map(([row, rowCells]) => [
      String(row + 1),
      ...headers.map((h) => {
        const cell = rowCells.find((c) => c.name === h);
        if (!cell) return '';
        const s = score(cell);
        return s ? `${show(cell.value)} (${s})` : show(cell.value);
      }),
    ]);
    out.push('', style.bold(`Table ${name}`), ...columns([['#', ...headers], ...body]));
  }
  const prompts = all.filter((f) => f.kind === 'prompt');
  if (prompts.length > 0) {
    out.push('', style.bold('Prompts'));
    out.push(
      ...columns(
        prompts.map((f) =>
          [f.name, f.prompt ?? '', show(f.value), score(f)].filter((c): c is string => c !== undefined),
        ),
      ),
    );
  }
  if (low > 0)
    out.push(
      '',
      style.warn(`! ${low} value${low > 1 ? 's' : ''} below ${minConfidence}% confidence: check them`),
    );
  return out.join('\n');
}

/** The flat field list as CSV (RFC 4180), one row per value; confidence on 0–100. */
export function formatCsv(execution: Execution<boolean>): string {
  const header = ['kind', 'page', 'table', 'row', 'name', 'value', 'confidence'];
  const rows = extractFields(execution).map((f) =>
    [f.kind, f.page, f.table, f.row, f.name, f.value, f.confidence].map(csvCell).join(','),
  );
  return [header.join(','), ...rows].join('\r\n');
}

/** A header and rows as CSV (RFC 4180), cells made safe for spreadsheets. */
export function toCsv(header: string[], rows: (string | number | boolean | undefined | null)[][]): string {
  return [header.join(','), ...rows.map((row) => row.map(csvCell).join(','))].join('\r\n');
}
