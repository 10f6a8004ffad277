// Started once per `vitest run` of this package, before any test file: the shared PostgreSQL cluster
// (own-postgres.ts, shared-postgres.ts) and the compiled child batch (child-bundle.ts), side by side.
import type { TestProject } from 'vitest/node';
import { bundleChild } from './child-bundle.js';
import { startSharedPostgres } from './own-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's PostgreSQL cluster (see shared-postgres.ts), or null when PostgreSQL is not installed. */
    batchPostgres: { url: string; password: string; port: number } | null;
    /** run-batch.ts compiled for plain `node` (child-bundle.ts). */
    batchChildScript: string | null;
  }
}

export default async function setup(project: TestProject) {
  const [postgres, child] = await Promise.all([startSharedPostgres(), bundleChild()]);
  project.provide(
    'batchPostgres',
    postgres ? { url: postgres.url, password: postgres.password, port: postgres.port } : null,
  );
  project.provide('batchChildScript', child.script);
  return async () => {
    await Promise.all([postgres?.close(), child.remove()]);
  };
}
