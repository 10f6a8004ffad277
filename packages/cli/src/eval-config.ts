import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './config.js';

/** `--config <file>` of eval and diff: JSON `{"fields": {"<field>": "<comparator>"}}`, or a usage error that says so. */
export async function readEvalConfig(path: string | undefined, cwd: string) {
  if (path === undefined) return undefined;
  const text = await readFile(resolve(cwd, path), 'utf8').catch(() => {
    throw new UsageError(`cannot read --config ${path}: check the path`);
  });
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    throw new UsageError(`--config ${path} is not JSON: write {"fields": {"total": "number"}}`);
  }
  const fields = (config as { fields?: unknown } | null)?.fields;
  if (
    typeof config !== 'object' ||
    config === null ||
    (fields !== undefined && (typeof fields !== 'object' || fields === null))
  ) {
    throw new UsageError(`--config ${path} must be {"fields": {"<field>": "<comparator>"}}`);
  }
  return config as { fields?: Record<string, string> };
}
