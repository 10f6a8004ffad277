import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'callback/index': 'src/callback/index.ts',
    otel: 'src/otel.ts',
    drift: 'src/drift.ts',
    file: 'src/document-file.ts',
    diagnose: 'src/diagnose.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: true,
  clean: true,
  // Internal helpers are bundled in: they are not this package's API.
  noExternal: ['@idp-kit/http'],
  define: { __IDP_KIT_VERSION__: JSON.stringify(version) },
  sourcemap: true,
});
