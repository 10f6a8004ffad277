import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { endedHere, type ProcessOwner, thisProcess } from './process-owner.js';

/** The lock file's name in a batch folder. */
export const LOCK_FILE = 'journal.lock';

/** Who holds a batch folder: the process (host, pid, start time, boot) and when it took the lock. */
export interface LockOwner extends ProcessOwner {
  /** When the lock was taken (ISO 8601), for people. */
  at?: string;
}

/**
 * The folder is in use by another live run, or by a run on another host.
 *
 * @example
 * ```ts
 * try { await openFileJournal(dir); } catch (e) { if (e instanceof JournalLockedError) console.error('busy'); }
 * ```
 */
export class JournalLockedError extends Error {
  override name = 'JournalLockedError';
}

/** This process, as a lock names it. */
function self(): LockOwner {
  return { ...thisProcess(), at: new Date().toISOString() };
}

/** The lock's owner, from JSON or an older idp-kit's bare pid (then on this host); undefined if unreadable. */
function parseOwner(text: string): LockOwner | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { host: hostname(), pid: Number(trimmed) };
  try {
    const value = JSON.parse(trimmed) as Partial<LockOwner>;
    if (typeof value.host !== 'string' || !Number.isInteger(value.pid) || (value.pid as number) <= 0) {
      return undefined;
    }
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner still runs: `undefined` when it surely does not (with why), else the
 * refusal's words. Only what this host can see is judged; another host's run is never presumed dead.
 */
function judge(owner: LockOwner | undefined, dir: string, path: string): { dead: string } | { live: string } {
  if (!owner) return { dead: 'an unreadable lock (a run that stopped as it was taking it)' };
  const since = owner.at ? `, since ${owner.at}` : '';
  if (owner.host !== hostname()) {
    return {
      live:
        `a batch run on host ${owner.host} (pid ${owner.pid}${since}) holds ${dir}: wait for it, or stop it. ` +
        `This host cannot see whether it still runs: once you are sure it has ended (its machine or container is gone), delete ${path} and run again.`,
    };
  }
  // Our own pid in a lock we do not hold (`held` is asked first): a run before us had it.
  if (owner.pid === process.pid)
    return { dead: `a run that ended (pid ${owner.pid} on this host, now this run's pid)` };
  const ended = endedHere(owner);
  if (ended) return { dead: ended };
  return {
    live: `another batch run (pid ${owner.pid}${since}) is using ${dir}; wait for it, or stop it first`,
  };
}

/** Lock files this process holds. */
const held = new Set<string>();

/**
 * One run per folder at a time: a lock file naming host, pid and start time. A lock left by a dead
 * run on this host is taken over (`onTakeover` says so); a live run's, or another host's, is refused
 * with a `JournalLockedError` that says what to do. Resolves with the unlock function.
 *
 * @example
 * ```ts
 * const unlock = await lockFolder('out', { onTakeover: (message) => console.error(message) });
 * ```
 */
export async function lockFolder(
  dir: string,
  options: { onTakeover?: (message: string) => void; shownAs?: string } = {},
): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  // Messages name the folder as the user typed it (`shownAs`), the files are at `dir`.
  const name = options.shownAs ?? dir;
  if (held.has(path)) {
    throw new JournalLockedError(
      `another batch run (pid ${process.pid}) is using ${name}; wait for it, or stop it first`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${JSON.stringify(self())}\n`);
      closeSync(fd);
      held.add(path);
      return () => {
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const verdict = judge(
        parseOwner(await readFile(path, 'utf8').catch(() => '')),
        name,
        join(name, LOCK_FILE),
      );
      if ('live' in verdict) throw new JournalLockedError(verdict.live);
      await rm(path, { force: true });
      options.onTakeover?.(`took over the lock of ${name}: it was left by ${verdict.dead}`);
    }
  }
  throw new JournalLockedError(`cannot lock ${name}: another run took it at the same moment; run again`);
}
