import { strykerConfig } from '../../stryker.shared.mjs';

// No target: issue 30 asks for the CLI's config and exit codes to be reported, not held to a score.
// They are mutated with the tests that run them in process: the exit-code table's own test, and
// cli.test.ts, which runs main() in process against the one Prism of the run (test/global-setup.ts).
// MUTATION_TEST_FILES (comma-separated globs) narrows a run further, as in the client.
const narrowed = process.env.MUTATION_TEST_FILES?.split(',').filter(Boolean);

export default {
  ...strykerConfig({
    mutate: ['src/config.ts', 'src/exit-codes.ts'],
    testFiles: narrowed ?? ['test/exit-codes.test.ts', 'test/cli.test.ts'],
  }),
  // The exit-code table and the help text load once: static mutants would measure the runner.
  ignoreStatic: true,
};
