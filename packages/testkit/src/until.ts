import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Waits until `condition()` holds, checking once per event-loop turn. Unlike `vi.waitFor` it never moves
 * a fake clock (which `vi.waitFor` advances on every check), so a test that fakes time can wait for real
 * I/O without its clock drifting. After a minute of real time it gives up, naming `what` it awaited
 * (a hang guard with a message, not a timing assumption).
 */
export async function until(condition: () => boolean, what: string): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > 60_000) throw new Error(`until: still waiting for ${what} after 60 s`);
    await nextTurn();
  }
}
