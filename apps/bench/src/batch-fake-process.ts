// The fake IDP of the batch benches (batch-fake.ts) in its own process, and the ids they use.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ORG = '01f79c97-9a83-4194-b922-15b64fd7305e';
export const ACTION = { actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766', actionVersion: '1.1.0' };

/** Starts batch-fake.ts with these settings (LATENCY_MS, POLLS, RATE_LIMITED, UNAVAILABLE). */
export async function startBatchFake(env: Record<string, string>) {
  const child = fork(fileURLToPath(new URL('./batch-fake.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (c) => resolve(Number(String(c)))),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    stats: async () => (await fetch(`${baseUrl}/stats`)).json() as Promise<Record<string, number>>,
    stop: () => child.kill(),
  };
}
