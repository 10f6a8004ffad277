import { csvCell } from '@idp-kit/batch';
import { type Execution, type ExtractedField, explainStatusMessage, extractFields } from '@idp-kit/client';
import stringWidth from 'string-width';
import { type CellFitter, cellFitter, cutNote, fitCell, MAX_CELL_COLUMNS } from './cell.js';
import type { Style } from './style.js';

function show(cell: CellFitter, value: string | null): string {
  return value === null ? '(no answer)' : cell(value);
}

/** Past this length a cell is cut however it got here: measuring it whole would take minutes. */
const NEVER_WIDER = MAX_CELL_COLUMNS * 32;

/** Pads to a width in terminal columns: colour codes take none, wide (CJK) characters two. */
function pad(cell: string, width: number): string {
  return cell + ' '.repeat(Math.max(0, width - stringWidth(cell)));
}

/** Rows as aligned columns (terminal width aware), the last column left ragged. */
export function columns(table: string[][], indent = '  '): string[] {
  const rows = table.map((row) => row.map((cell) => (cell.length > NEVER_WIDER ? fitCell(cell).text : cell)));
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
 * and values under `minConfidence` are marked. Every text from the server is one line with its control
 * characters escaped, and wide values are cut (`--json` shows them whole).
 */
export function formatTable(execution: Execution<boolean>, style: Style, minConfidence: number): string {
  const all = extractFields(execution);
  const cell = cellFitter();
  const line = (text: string) => fitCell(text, MAX_CELL_COLUMNS * 2).text;
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
    `${style.bold(line(execution.documentName ?? ''))} ${style.dim(line(execution.id ?? ''))}`,
    `Status: ${statusStyle(line(execution.status))}`,
  ];
  // The model's own reason (a FAILED execution is paid: say why, and what to do).
  const reason = explainStatusMessage(execution.statusMessage);
  if (reason !== undefined) out.push(`Reason: ${line(reason)}`);
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
          [cell(f.name), show(cell, f.value), where(f), score(f)].filter((c): c is string => c !== undefined),
        ),
      ),
    );
  }
  const tables = new Map<string, ExtractedField[]>();
  for (const field of all.filter((f) => f.kind === 'cell')) {
    const key = `${line(field.table ?? '')}${field.page === undefined ? '' : ` (p.${field.page})`}`;
    tables.set(key, [...(tables.get(key) ?? []), field]);
  }
  for (const [name, cells] of tables) {
    const headers = [...new Set(cells.map((c) => c.name))];
    const rows = new Map<number, ExtractedField[]>();
    for (const c of cells) rows.set(c.row ?? 0, [...(rows.get(c.row ?? 0) ?? []), c]);
    const body = [...rows.entries()].map(([row, rowCells]) => [
      String(row + 1),
      ...headers.map((h) => {
        const found = rowCells.find((c) => c.name === h);
        if (!found) return '';
        const s = score(found);
        return s ? `${show(cell, found.value)} (${s})` : show(cell, found.value);
      }),
    ]);
    out.push('', style.bold(`Table ${name}`), ...columns([['#', ...headers.map(cell)], ...body]));
  }
  const prompts = all.filter((f) => f.kind === 'prompt');
  if (prompts.length > 0) {
    out.push('', style.bold('Prompts'));
    out.push(
      ...columns(
        prompts.map((f) =>
          [cell(f.name), cell(f.prompt ?? ''), show(cell, f.value), score(f)].filter(
            (c): c is string => c !== undefined,
          ),
        ),
      ),
    );
  }
  if (low > 0)
    out.push(
      '',
      style.warn(`! ${low} value${low > 1 ? 's' : ''} below ${minConfidence}% confidence: check them`),
    );
  if (cell.cut > 0) out.push('', style.dim(cutNote(cell.cut)));
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
