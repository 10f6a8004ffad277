import { onTestFinished } from 'vitest';

/** Closes `server` when the current test finishes, passed or failed. Returns it, for chaining. */
export function closeAfterTest<T extends { close(): Promise<unknown> }>(server: T): T {
  onTestFinished(async () => {
    await server.close();
  });
  return server;
}
