import { strykerConfig } from '../../stryker.shared.mjs';

// No target: issue 30 asks for the CLI's exit codes and config to be reported, not held to a score.
// `pnpm mutation --package cli` mutates exit-codes.ts with its own in-process unit test (seconds).
// config.ts is reached only through main(), by the CLI's behaviour tests (minutes, Prism behind them):
// measure it by naming them, as docs/mutation.md (round 7) does:
//   MUTATION_TEST_FILES=test/cli.test.ts,test/doctor.test.ts,test/mcp.test.ts \
//     pnpm mutation --package cli --mutate "src/config.ts" --concurrency 2
// MUTATION_TEST_FILES: comma-separated globs, as in packages/client/stryker.config.mjs.
const narrowed = process.env.MUTATION_TEST_FILES?.split(',').filter(Boolean);

export default {
  ...strykerConfig({ mutate: ['src/exit-codes.ts'], testFiles: narrowed ?? ['test/exit-codes.test.ts'] }),
  // The exit-code table and the help text load once: static mutants would measure the runner.
  ignoreStatic: true,
};
