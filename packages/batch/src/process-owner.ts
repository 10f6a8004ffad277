import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * A process, named so that another process can tell later whether it still runs: the host, the pid,
 * and the process's start time and boot. A pid alone is not enough: in containers every run is pid 1,
 * and a pid is reused once its process ends.
 */
export interface ProcessOwner {
  host: string;
  pid: number;
  /** The kernel's start time of the process (Linux: `/proc/<pid>/stat`, field 22), when known. */
  started?: string;
  /** The boot the process started in (Linux: `/proc/sys/kernel/random/boot_id`), when known. */
  boot?: string;
}

/** Linux: when a process started, in clock ticks since boot; undefined elsewhere or when it is gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process, as a lock or a lease names it. */
export function thisProcess(): ProcessOwner {
  const started = startTime(process.pid);
  const boot = bootId();
  return {
    host: hostname(),
    pid: process.pid,
    ...(started ? { started } : {}),
    ...(boot ? { boot } : {}),
  };
}

/**
 * Why `owner` surely no longer runs (words for a message), or `undefined` when it may: it runs, or it
 * is on another host, whose processes this one cannot see (it is never presumed dead).
 */
export function endedHere(owner: ProcessOwner): string | undefined {
  if (owner.host !== hostname()) return undefined;
  const who = `pid ${owner.pid} on this host`;
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return `a run of an earlier boot (${who})`;
  const started = startTime(owner.pid);
  const reused = owner.started !== undefined && started !== undefined && started !== owner.started;
  // Our own pid with another start time: a run before us had it (a restarted container's pid 1). With
  // ours, it is this process (another store it opened): alive.
  if (owner.pid === process.pid) return reused ? `a run that ended (${who}, now this run's pid)` : undefined;
  if (!alive(owner.pid)) return `a run that ended (${who})`;
  if (reused) return `a run that ended (${who}, now another process's pid)`;
  return undefined;
}

/**
 * A worker's name in a shared store: `host:pid:started:boot:random`. It is read back by `workerOwner`,
 * so a worker on the same host can tell that the worker holding a lease has ended.
 */
export function workerName(owner: ProcessOwner, random: string): string {
  return [owner.host, owner.pid, owner.started ?? '', owner.boot ?? '', random].join(':');
}

/** The process a worker name names; `undefined` for a name in another form (given, or older). */
export function workerOwner(name: string): ProcessOwner | undefined {
  const parts = name.split(':');
  if (parts.length !== 5) return undefined;
  const [host = '', pid = '', started = '', boot = ''] = parts;
  if (host === '' || !/^[1-9]\d*$/.test(pid)) return undefined;
  return {
    host,
    pid: Number(pid),
    ...(started ? { started } : {}),
    ...(boot ? { boot } : {}),
  };
}
