// The order test files start in. With two files at a time, the run lasts at least as long as its longest
// file plus whatever ran before it on the same worker: the many-workers test alone takes a large part
// of the run, so it starts first. Vitest orders by the last run's durations when it has them (in
// node_modules/.vite); a fresh clone has none, and it would order by file size, which puts
// workers.test.ts (short to read, long to run) last.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The files that took longest (`vitest run --reporter=verbose`), longest first. */
const LONGEST = [
  'test/workers.test.ts',
  'test/behaviour.test.ts',
  'test/postgres-outage.test.ts',
  'test/postgres.test.ts',
  'test/crash.test.ts',
];

function rank(file: TestSpecification): number {
  const at = LONGEST.findIndex((name) => file.moduleId.endsWith(name));
  return at < 0 ? LONGEST.length : at;
}

/** Vitest's own order, with the files known to be long moved to the front. */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}
