#!/usr/bin/env node
// `pnpm mutation`: Stryker over each package that has a stryker.config.mjs (or .json), one package at a
// time, then one table of scores per file from the JSON reports. Not part of `pnpm test`: it takes minutes.
//
//   pnpm mutation                                   every configured package
//   pnpm mutation --package auth                    one package (repeat for more)
//   pnpm mutation --mutate packages/auth/src/token-cycle.ts    one file (its package is inferred)
//   pnpm mutation --package auth --incremental      only mutants whose code or tests changed since the last run
//   pnpm mutation --report                          print the table of the last reports, run nothing
//   --concurrency N                                 test runners at once (default 1)
//
// Stryker mutates the sources in place (inPlace: true), so a checkout has one run at a time: a lock file
// refuses a second. docs/mutation.md has the scores, how to run, and the reasons for the survivors.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { reportRows, table } from './mutation-score.mjs';

const root = new URL('..', import.meta.url).pathname;
const strykerBin = join(
  createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json'),
  '../bin/stryker.js',
);
const CONFIG_NAMES = ['stryker.config.mjs', 'stryker.config.json'];

function usage(problem) {
  console.error(`pnpm mutation: ${problem}`);
  console.error(
    'usage: pnpm mutation [--package NAME]... [--mutate FILE] [--incremental] [--concurrency N] [--report]',
  );
  process.exit(2);
}

/** Packages under packages/ with a Stryker config: `{ name, dir, config }`. */
function configuredPackages() {
  return readdirSync(join(root, 'packages'))
    .sort()
    .flatMap((name) => {
      const dir = join(root, 'packages', name);
      const config = CONFIG_NAMES.map((file) => join(dir, file)).find(existsSync);
      return config ? [{ name, dir, config }] : [];
    });
}

/** The per-file target a package's config exports (`export const target = 85`), if any. */
async function targetOf(pkg) {
  if (!pkg.config.endsWith('.mjs')) return undefined;
  const module = await import(pathToFileURL(pkg.config).href);
  return typeof module.target === 'number' ? module.target : undefined;
}

/** `--mutate packages/auth/src/x.ts` names its package; the path Stryker wants is the package's own. */
function splitMutate(mutate, names) {
  const match = /^(?:\.\/)?packages\/([^/]+)\/(.+)$/.exec(mutate);
  if (!match) return { mutate };
  if (!names.includes(match[1])) usage(`packages/${match[1]} has no stryker.config.mjs`);
  return { pkg: match[1], mutate: match[2] };
}

/**
 * One run per checkout: Stryker mutates sources in place, and a package's tests may import another
 * package's sources (auth imports http's), so two runs would see each other's mutants.
 */
function takeLock() {
  const dir = join(root, 'node_modules', '.cache');
  const lock = join(dir, 'idp-kit-mutation.lock');
  mkdirSync(dir, { recursive: true });
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8'));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      // that run is gone: its lock is stale
    }
    if (alive) usage(`a mutation run (pid ${pid}) is already running in this checkout; wait for it`);
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

function runStryker(pkg, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [strykerBin, 'run', relative(pkg.dir, pkg.config), ...args], {
      cwd: pkg.dir,
      stdio: 'inherit',
    });
    // Stryker restores the mutated sources on SIGINT/SIGTERM: pass them on and wait for it.
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function rowsOf(pkg, seconds) {
  const file = join(pkg.dir, 'reports', 'mutation', 'mutation.json');
  if (!existsSync(file)) return { rows: [], short: [] };
  const target = await targetOf(pkg);
  const rows = reportRows(JSON.parse(readFileSync(file, 'utf8'))).map((r) => ({
    package: pkg.name,
    file: r.file,
    score: Number.isNaN(r.score) ? 'n/a' : r.score.toFixed(2),
    target: target === undefined ? '' : String(target),
    killed: r.killed,
    timeout: r.timeout,
    survived: r.survived,
    'no cov': r.noCoverage,
    time: r.file === 'all files' && seconds !== undefined ? `${seconds} s` : '',
  }));
  const short = rows.filter((r) => target !== undefined && r.score !== 'n/a' && Number(r.score) < target);
  return { rows, short };
}

async function main() {
  const { values } = parseArgs({
    options: {
      package: { type: 'string', multiple: true },
      mutate: { type: 'string' },
      incremental: { type: 'boolean' },
      concurrency: { type: 'string' },
      report: { type: 'boolean' },
    },
  });
  const all = configuredPackages();
  const names = all.map((p) => p.name);
  const wanted = new Set((values.package ?? []).map((n) => n.replace(/^@idp-kit\//, '')));
  let mutate = values.mutate;
  if (mutate) {
    const split = splitMutate(mutate, names);
    mutate = split.mutate;
    if (split.pkg) wanted.add(split.pkg);
    if (wanted.size !== 1) usage('--mutate needs one package: --package NAME, or a path packages/NAME/src/…');
  }
  for (const name of wanted) if (!names.includes(name)) usage(`no stryker.config.mjs in packages/${name}`);
  const packages = wanted.size ? all.filter((p) => wanted.has(p.name)) : all;

  const args = [
    ...(mutate ? ['--mutate', mutate] : []),
    ...(values.incremental ? ['--incremental'] : []),
    ...(values.concurrency ? ['--concurrency', values.concurrency] : []),
  ];
  const rows = [];
  const short = [];
  let failed = false;
  const release = values.report ? () => {} : takeLock();
  try {
    for (const pkg of packages) {
      let seconds;
      if (!values.report) {
        const started = Date.now();
        failed = (await runStryker(pkg, args)) !== 0 || failed;
        seconds = Math.round((Date.now() - started) / 1000);
      }
      const result = await rowsOf(pkg, seconds);
      rows.push(...result.rows);
      short.push(...result.short);
    }
  } finally {
    release();
  }
  console.log(`\nMutation score per file (reports in packages/<name>/reports/mutation/)\n${table(rows)}`);
  for (const r of short) console.log(`below target: ${r.package} ${r.file} ${r.score}% < ${r.target}%`);
  if (failed) console.log('A Stryker run failed: see its output above.');
  process.exit(failed || short.length > 0 ? 1 : 0);
}

await main();
