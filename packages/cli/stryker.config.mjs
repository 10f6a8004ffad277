import { strykerConfig } from '../../stryker.shared.mjs';

// No target: issue 30 asks for the CLI's exit codes and config to be reported, not held to a score.
// exit-codes.ts is mutated with its own in-process unit test. config.ts is reached only through main()
// in test/cli.test.ts, and one of its tests (a submit's "Next:" hint names `pnpm idp` or `idp` by how the
// CLI was started) fails under `pnpm mutation`, whose environment says pnpm: Stryker refuses to start on a
// failing test, so config.ts is not mutated (docs/mutation.md).
export default {
  ...strykerConfig({ mutate: ['src/exit-codes.ts'], testFiles: ['test/exit-codes.test.ts'] }),
  // The exit-code table and the help text load once: static mutants would measure the runner.
  ignoreStatic: true,
};
