#!/usr/bin/env node
// `pnpm release:dry`: runs `changeset version` in a scratch copy of the repository and shows the
// versions and changelogs that would be published. Nothing in this checkout changes.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'idp-kit-release-'));
const skip = new Set(['node_modules', '.git', '.turbo', 'dist', 'docs']);
try {
  cpSync(root, scratch, { recursive: true, filter: (src) => !src.split('/').some((part) => skip.has(part)) });
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  // Every package that is published: those under packages/ not marked private.
  const packages = readdirSync(join(root, 'packages'))
    .map((name) => `packages/${name}`)
    .filter((p) => !JSON.parse(readFileSync(join(root, p, 'package.json'), 'utf8')).private)
    .sort();
  const before = Object.fromEntries(
    packages.map((p) => [p, JSON.parse(readFileSync(join(scratch, p, 'package.json'), 'utf8')).version]),
  );
  execFileSync(join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: scratch, stdio: 'inherit' });
  for (const p of packages) {
    const { name, version } = JSON.parse(readFileSync(join(scratch, p, 'package.json'), 'utf8'));
    const changelog = join(scratch, p, 'CHANGELOG.md');
    console.log(`\n=== ${name}: ${before[p]} → ${version}`);
    console.log(existsSync(changelog) ? readFileSync(changelog, 'utf8') : '(no changes, no CHANGELOG.md)');
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
