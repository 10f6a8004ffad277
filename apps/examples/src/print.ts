import type { ExecutionBody, Field } from '@idp-kit/client';

/** Prints an execution's status and its fields, tables and prompt answers as aligned text. */
export function formatExecution(execution: ExecutionBody): string {
  const rows: [string, string][] = [];
  const show = (field: Field | undefined) => (field?.value === null ? '(no answer)' : (field?.value ?? ''));
  const pages = execution.pages ?? [];
  const envelopes = [
    ...pages,
    ...(execution.fields || execution.tables || execution.prompts ? [execution] : []),
  ];
  for (const envelope of envelopes) {
    for (const [name, field] of Object.entries(envelope.fields ?? {})) rows.push([name, show(field)]);
    for (const [table, tableRows] of Object.entries(envelope.tables ?? {})) {
      tableRows.forEach((row, index) => {
        for (const [column, cell] of Object.entries(row))
          rows.push([`${table}[${index}].${column}`, show(cell)]);
      });
    }
    for (const [name, prompt] of Object.entries(envelope.prompts ?? {}))
      rows.push([name, show(prompt.answer)]);
  }
  const width = Math.max(5, ...rows.map(([name]) => name.length));
  const lines = [
    `Execution ${execution.id} (${execution.documentName}): ${execution.status}`,
    '',
    `${'Field'.padEnd(width)}  Value`,
    `${'-'.repeat(width)}  ${'-'.repeat(5)}`,
    ...rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`),
  ];
  if (rows.length === 0) lines.push('(no results yet)');
  return lines.join('\n');
}
