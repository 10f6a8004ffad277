import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchServer {
  baseUrl: string;
  stats(): Promise<{ tokenRequests: number; runtimeRequests: number }>;
  reset(): Promise<void>;
  stop(): void;
}

/** Starts server.ts in its own process and resolves with its URL. */
export async function startServer(): Promise<BenchServer> {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    child.stdout?.once('data', (chunk) => resolve(Number(String(chunk).trim())));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    stats: async () =>
      (await fetch(`${baseUrl}/stats`)).json() as Promise<{ tokenRequests: number; runtimeRequests: number }>,
    reset: async () => {
      await (await fetch(`${baseUrl}/reset`)).arrayBuffer();
    },
    stop: () => {
      child.disconnect();
      child.kill();
    },
  };
}
