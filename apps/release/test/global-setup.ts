import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packAll } from '../src/packages.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Each published package's tarball, packed once for the run, in `PUBLISHED` order. */
    tarballs: string[];
  }
}

/**
 * Packs every published package once for the whole run: publint, attw and the stranger's install all
 * read these tarballs. Before, each tool packed each package again (attw with npm's pack, seconds of
 * CPU per package), and the install packed them a third time.
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'idp-kit-tarballs-'));
  project.provide('tarballs', await packAll(dir));
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
