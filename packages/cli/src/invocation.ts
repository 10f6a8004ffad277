import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { shellWord } from './shell-word.js';

/** The name of the idp-kit repository's root package.json: how a checkout is recognised. */
const REPOSITORY_PACKAGE = 'idp-kit';

/**
 * How the user can run this CLI from where they are, so that every command it prints (hints, examples,
 * `Next: …`) works as pasted. Installed, that is `idp`. Inside a checkout of idp-kit a bare `idp` is not on
 * the PATH: the root script `pnpm idp` runs it, from the root or any folder that is not a package of its
 * own (`pnpm -w idp` from inside one, where pnpm would look for the script in that package). Started by the
 * root script from outside the checkout (`pnpm --dir <repo> idp`), it says so.
 *
 * @param env the process environment: pnpm sets `npm_package_name`, `npm_package_json` and `INIT_CWD` (the
 *   folder the user typed the command in) when it runs a root script.
 * @param cwd the working folder, used when no script started the CLI.
 */
export function invocation(env: Record<string, string | undefined>, cwd: string): string {
  const byScript = env.npm_package_name === REPOSITORY_PACKAGE && env.npm_package_json !== undefined;
  const here = resolve(byScript ? (env.INIT_CWD ?? cwd) : cwd);
  const root = byScript ? dirname(resolve(env.npm_package_json ?? '')) : repositoryAround(here);
  if (root === undefined) return 'idp';
  if (!isWithin(here, root)) return `pnpm --dir ${shellWord(root)} idp`;
  return nearestPackage(here) === root ? 'pnpm idp' : 'pnpm -w idp';
}

/** The root of the idp-kit checkout that holds `folder`, if any. */
function repositoryAround(folder: string): string | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (packageName(dir) === REPOSITORY_PACKAGE) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The nearest folder at or above `folder` with a package.json: where pnpm looks for a script. */
function nearestPackage(folder: string): string | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function packageName(dir: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return typeof parsed === 'object' &&
      parsed !== null &&
      'name' in parsed &&
      typeof parsed.name === 'string'
      ? parsed.name
      : undefined;
  } catch {
    return undefined; // no package.json here, or not one we can read: not the repository's root
  }
}

function isWithin(folder: string, root: string): boolean {
  const path = relative(root, folder);
  return !isAbsolute(path) && path.split(sep)[0] !== '..';
}
