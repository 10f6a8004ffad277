#!/usr/bin/env node
// `pnpm typecheck` (and the type check of `pnpm test`): every workspace package's TypeScript projects in
// one `tsc --build` process. The projects are the ones each package's own `typecheck` script names
// (`tsc -p <config>`), so `pnpm --filter <pkg> typecheck` checks the same files alone. One process parses
// the libraries every project shares (@types/node, vitest, the workspace's declarations) once: 29 CPU-s
// instead of 76 for 16 separate `tsc` runs on the 2-core machine (docs/development.md).
//
// `--force`: build mode skips a project it judges up to date, and it judges by the project's own files,
// not by the built declarations of the workspace packages it imports; a check must never pass on stale
// state, so every project is checked every time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** The tsconfig files a package's `typecheck` script checks, relative to the repository root. */
function projectsOf(dir) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return [];
  const script = JSON.parse(readFileSync(manifest, 'utf8')).scripts?.typecheck;
  if (script === undefined) return [];
  const configs = [...script.matchAll(/tsc -p (\S+)/g)].map((m) => relative(root, join(dir, m[1])));
  if (configs.length === 0) {
    throw new Error(
      `${relative(root, manifest)}: its typecheck script names no \`tsc -p <config>\`: ${script}`,
    );
  }
  return configs;
}

const projects = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => projectsOf(join(root, group, entry.name))),
);

// The projects import the workspace packages' built declarations: turbo must build them all first. A
// package added later with a build script and not named in turbo.json would pass here only by luck.
const turbo = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8'));
const builtFirst = new Set(turbo.tasks['//#typecheck:all']?.dependsOn ?? []);
const unbuilt = ['packages', 'apps']
  .flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name, 'package.json')))
  .filter(existsSync)
  .map((manifest) => JSON.parse(readFileSync(manifest, 'utf8')))
  .filter((pkg) => pkg.scripts?.build !== undefined && !builtFirst.has(`${pkg.name}#build`))
  .map((pkg) => `${pkg.name}#build`);
if (unbuilt.length > 0) {
  console.error(`typecheck: add ${unbuilt.join(', ')} to "//#typecheck:all".dependsOn in turbo.json`);
  process.exit(1);
}

const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const { status, signal } = spawnSync(process.execPath, [tsc, '--build', '--force', ...projects], {
  cwd: root,
  stdio: 'inherit',
});
if (status !== 0) {
  console.error(`typecheck: tsc --build failed (${status ?? signal}) over ${projects.length} projects`);
  process.exit(status ?? 1);
}
