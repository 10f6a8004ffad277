import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time under `path` (a file or a folder), skipping tests and node_modules. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test(-d)?\.ts$/.test(path) ? 0 : info.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function manifest(root, dir) {
  return JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
}

/** The folder of each workspace package `start` builds on, `start` included. */
function closure(root, start) {
  const byName = new Map(
    ['packages', 'apps'].flatMap((group) =>
      readdirSync(join(root, group)).flatMap((name) => {
        const dir = join(group, name);
        return existsSync(join(root, dir, 'package.json')) ? [[manifest(root, dir).name, dir]] : [];
      }),
    ),
  );
  const seen = new Set();
  const visit = (name) => {
    const dir = byName.get(name);
    if (!dir || seen.has(dir)) return;
    seen.add(dir);
    const { dependencies = {}, devDependencies = {} } = manifest(root, dir);
    for (const [dep, range] of Object.entries({ ...dependencies, ...devDependencies })) {
      if (String(range).startsWith('workspace:')) visit(dep);
    }
  };
  visit(start);
  return [...seen];
}

/**
 * True when `pkg` or a workspace package it builds on changed since its last build: a source newer
 * than the oldest build, or a build missing. Cheap (mtimes only), so `pnpm idp` pays for a build only
 * after an edit or a checkout.
 */
export function isStale(root, pkg) {
  const dirs = closure(root, pkg);
  const built = dirs.filter((dir) => manifest(root, dir).scripts?.build);
  const outputs = built.map((dir) => {
    const dist = join(root, dir, 'dist');
    return existsSync(dist)
      ? Math.max(0, ...readdirSync(dist).map((f) => statSync(join(dist, f)).mtimeMs))
      : 0;
  });
  const oldestBuild = Math.min(...outputs);
  if (oldestBuild === 0) return true;
  const inputs = [
    ...dirs.flatMap((dir) =>
      ['src', 'package.json', 'tsup.config.ts', 'vite.config.ts'].map((f) => join(dir, f)),
    ),
    'spec',
    'tsconfig.base.json',
  ];
  return inputs.some((input) => newest(join(root, input)) > oldestBuild);
}
