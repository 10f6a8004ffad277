import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { recordSkip } from './skips.js';

/** The absolute path of `command` on the PATH, or undefined. */
function onPath(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where Chromium is: `IDP_TEST_CHROMIUM`, else Debian's `/usr/bin/chromium`, else `chromium` on the PATH.
 * With `IDP_TEST_CHROMIUM` set, only that path counts.
 */
export function chromiumPath(): string | undefined {
  const given = process.env.IDP_TEST_CHROMIUM;
  if (given) return existsSync(given) ? given : undefined;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  return onPath('chromium');
}

/**
 * The folder that holds PostgreSQL's `initdb` and `pg_ctl`: `IDP_TEST_PG_BIN`, else Debian's newest
 * `/usr/lib/postgresql/<major>/bin`, else the folder of `initdb` on the PATH. With `IDP_TEST_PG_BIN`
 * set, only that folder counts.
 */
export function postgresBinSync(): string | undefined {
  const given = process.env.IDP_TEST_PG_BIN;
  if (given) return existsSync(join(given, 'initdb')) ? given : undefined;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const debian = majors
    .map((major) => join(root, major, 'bin'))
    .find((bin) => existsSync(join(bin, 'initdb')));
  if (debian) return debian;
  const initdb = onPath('initdb');
  return initdb ? dirname(initdb) : undefined;
}

function missingBecause(what: string, reason: string): string | undefined {
  // In CI a missing prerequisite is a failure, not a skip: the tests run and say what is missing.
  if (process.env.CI) return undefined;
  recordSkip(what, reason);
  return reason;
}

/**
 * How the browser tests launch Chromium (playwright-core's `chromium.launch` options): the one found by
 * `chromiumPath()`, headless, with nothing that reaches the network on its own. Playwright gives each
 * launch a new, empty profile folder of its own.
 *
 * @example
 * ```ts
 * const browser = await chromium.launch(chromiumLaunchOptions());
 * ```
 */
export function chromiumLaunchOptions(): { executablePath: string; headless: true; args: string[] } {
  return {
    executablePath: chromiumPath() ?? 'chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}

/**
 * Why `what` (browser tests) cannot run here, recorded for `pnpm test`'s closing line; undefined when
 * Chromium is found, or in CI (`CI` set), where the tests then fail instead.
 *
 * @example
 * ```ts
 * const missing = chromiumMissing('the browser tests');
 * describe.skipIf(Boolean(missing))('in Chromium', () => { … });
 * ```
 */
export function chromiumMissing(what: string): string | undefined {
  if (chromiumPath()) return undefined;
  const given = process.env.IDP_TEST_CHROMIUM;
  return missingBecause(
    what,
    given
      ? `no Chromium at IDP_TEST_CHROMIUM=${given}`
      : 'Chromium not found (apt-get install -y chromium, or set IDP_TEST_CHROMIUM to its path)',
  );
}

/**
 * Why `what` (PostgreSQL tests) cannot run here, recorded for `pnpm test`'s closing line; undefined
 * when PostgreSQL is found, or in CI (`CI` set), where the tests then fail instead.
 *
 * @example
 * ```ts
 * const missing = await postgresMissing('the PostgreSQL store tests');
 * ```
 */
export async function postgresMissing(what: string): Promise<string | undefined> {
  if (postgresBinSync()) return undefined;
  const given = process.env.IDP_TEST_PG_BIN;
  return missingBecause(
    what,
    given
      ? `no initdb in IDP_TEST_PG_BIN=${given}`
      : 'PostgreSQL not found (apt-get install -y postgresql, or set IDP_TEST_PG_BIN to the folder of initdb and pg_ctl)',
  );
}
