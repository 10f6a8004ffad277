import {
  bucketConfig,
  localRateSource,
  parseRate,
  RateBudget,
  RateSpecError,
  type SharedJournalStore,
} from '@idp-kit/batch';
import type { Admit, IdpHooks } from '@idp-kit/client';
import { UsageError } from './config.js';
import type { CliContext } from './context.js';

/**
 * `--rate`, else IDP_RATE (environment or .env): requests per second, or undefined for no budget. A
 * value that cannot be read is a usage error (exit 2) that shows the accepted form.
 */
export function rateOption(ctx: CliContext, flag: string | undefined): number | undefined {
  const text = flag ?? ctx.settings().env.IDP_RATE;
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return parseRate(text, flag !== undefined ? '--rate' : 'IDP_RATE');
  } catch (error) {
    if (error instanceof RateSpecError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The batch's rate budget, for a client made before the store is open (a wrong setting must fail
 * before the store is touched): `client` goes to `ctx.connect()`, `open()` starts the budget once the
 * store is known (its one row for every worker of a PostgreSQL batch; this process's own otherwise).
 */
export function batchRate(perSecond: number | undefined): {
  client: { admit?: Admit; hooks?: IdpHooks[] };
  open(store: SharedJournalStore | undefined): Promise<void>;
  dispose(): void;
} {
  if (perSecond === undefined) return { client: {}, open: async () => {}, dispose: () => {} };
  let budget: RateBudget | undefined;
  const config = bucketConfig(perSecond);
  return {
    client: {
      admit: (request, signal) => {
        if (!budget) throw new Error('the rate budget is not open yet');
        return budget.admit(request, signal);
      },
      hooks: [{ attemptEnd: (attempt, outcome) => budget?.hooks.attemptEnd?.(attempt, outcome) }],
    },
    async open(store) {
      budget = store?.rateSource
        ? // About a second of the budget per trip to the store (at most 10): at 600/min with 4 workers
          // that took 0.11 statements per request instead of 1.01, with the same 10 s peak and share
          // used (pnpm bench:workers --rate); tokens a worker reserved and could not use are few.
          new RateBudget(await store.rateSource(config), {
            slice: Math.min(10, Math.max(1, Math.floor(perSecond))),
          })
        : new RateBudget(localRateSource(config));
    },
    dispose: () => budget?.dispose(),
  };
}
