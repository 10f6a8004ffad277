import { strykerConfig } from '../../stryker.shared.mjs';

// No target: issue 30 asks for the mock's front (the part in front of Prism) to be reported, not held to
// a score. Its in-process unit test talks to the front over loopback, with the one Prism of the run
// behind it (test/global-setup.ts): `pnpm mutation --package mock` (docs/mutation.md).
export default {
  ...strykerConfig({ mutate: ['src/front.ts'], testFiles: ['src/front.test.ts'] }),
  // The module-level tables (routes, scenarios) load once: static mutants would measure the runner.
  ignoreStatic: true,
};
