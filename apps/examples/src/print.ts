import { type Execution, extractFields } from '@idp-kit/client';

/** An execution's status and every extracted value, as aligned text. */
export function formatExecution(execution: Execution<boolean>): string {
  const rows = extractFields(execution).map((field) => [
    field.table ? `${field.table}[${field.row}].${field.name}` : field.name,
    field.value === null ? '(no answer)' : field.value,
  ]);
  const width = Math.max(5, ...rows.map(([name]) => name?.length ?? 0));
  const lines = [
    `Execution ${execution.id} (${execution.documentName}): ${execution.status}`,
    '',
    `${'Field'.padEnd(width)}  Value`,
    `${'-'.repeat(width)}  ${'-'.repeat(5)}`,
    ...rows.map(([name, value]) => `${name?.padEnd(width)}  ${value}`),
  ];
  if (rows.length === 0) lines.push('(no results yet)');
  return lines.join('\n');
}
