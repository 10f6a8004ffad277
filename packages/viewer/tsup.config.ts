import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  target: 'node20',
  dts: true,
  // The page (dist/page.html) is built first by Vite; tsup must not wipe it.
  clean: false,
  sourcemap: true,
});
