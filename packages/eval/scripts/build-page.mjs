// The HTML report's script, with Observable Plot (and the parts of d3 it uses) bundled in: one IIFE that
// htmlReport() inlines into the page, so the report opens from disk with no network.
import { build } from 'esbuild';

await build({
  entryPoints: ['page/report.ts'],
  outfile: 'dist/report-page.js',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
