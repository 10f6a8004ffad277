import { strykerConfig } from '../../stryker.shared.mjs';

/** Every file's mutation score must reach this (docs/mutation.md). */
export const target = 85;

export default strykerConfig({ mutate: ['src/**/*.ts', '!src/**/*.test.ts', '!src/index.ts'], target });
