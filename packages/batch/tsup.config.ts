import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', postgres: 'src/postgres-entry.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  clean: true,
  // Internal helpers are bundled in: they are not this package's API.
  noExternal: ['@idp-kit/http'],
  sourcemap: true,
});
