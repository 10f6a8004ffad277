// The HTML report's script, with Observable Plot (and the parts of d3 it uses) bundled in: one IIFE that
// htmlReport() inlines into the page, so the report opens from disk with no network.
import { build } from 'esbuild';

// The eval report's page and the diff report's page: one bundle each (they share page/charts.ts).
for (const [entry, outfile] of [
  ['page/report.ts', 'dist/report-page.js'],
  ['page/diff.ts', 'dist/diff-page.js'],
]) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
}
