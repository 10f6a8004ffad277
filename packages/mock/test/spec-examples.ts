import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { resolveSpecPath } from '../src/index.js';

type Json = Record<string, unknown>;

const spec = parse(readFileSync(resolveSpecPath(), 'utf8')) as Json;

function resolveRef<T>(node: unknown): T {
  if (node && typeof node === 'object' && '$ref' in node) {
    const path = String((node as { $ref: string }).$ref)
      .replace(/^#\//, '')
      .split('/');
    return resolveRef(path.reduce<unknown>((at, key) => (at as Json)[key], spec));
  }
  return node as T;
}

function operation(path: string, method: string): Json {
  return ((spec.paths as Json)[path] as Json)[method] as Json;
}

export const EXECUTION_PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions/{executionId}';
export const SUBMIT_PATH =
  '/api/v1/organizations/{organizationId}/actions/{actionId}/versions/{actionVersion}/executions';
export const TOKEN_PATH = '/accounts/api/v2/oauth2/token';

/** Named examples of one response of one operation, `{ name: value }`. */
export function examplesOf(path: string, method: string, code: string): Record<string, unknown> {
  const response = resolveRef<Json>((operation(path, method).responses as Json)[code]);
  const content = response.content as Record<string, { examples?: Json }>;
  const media = Object.values(content)[0];
  return Object.fromEntries(
    Object.entries(media?.examples ?? {}).map(([name, ex]) => [
      name,
      resolveRef<{ value: unknown }>(ex).value,
    ]),
  );
}

/** The response codes an operation declares. */
export function responseCodes(path: string, method: string): string[] {
  return Object.keys(operation(path, method).responses as Json);
}

/** The status enum as the spec declares it. */
export const SPEC_STATUSES = (
  ((spec.components as Json).schemas as Json).ExecutionStatus as { enum: string[] }
).enum;
