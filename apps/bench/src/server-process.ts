import { startFakeIdpProcess } from '@idp-kit/testkit';

export interface BenchServer {
  baseUrl: string;
  stats(): Promise<{ tokenRequests: number; runtimeRequests: number }>;
  reset(): Promise<void>;
  stop(): void;
}

/** Starts testkit's fake IDP with server.ts's options in its own process and resolves with its URL. */
export async function startServer(): Promise<BenchServer> {
  const fake = await startFakeIdpProcess(new URL('./server.ts', import.meta.url));
  return {
    baseUrl: fake.baseUrl,
    stats: async () => {
      const { requests } = await fake.stats();
      return {
        tokenRequests: requests.token,
        runtimeRequests: requests.submit + requests.poll + requests.other,
      };
    },
    reset: () => fake.reset(),
    stop: () => fake.stop(),
  };
}
