/**
 * A `--rate` (`IDP_RATE`) that cannot be read. The CLI makes it a usage error (exit 2).
 *
 * @example
 * ```ts
 * try { parseRate('600'); } catch (e) { if (e instanceof RateSpecError) console.error(e.message); }
 * ```
 */
export class RateSpecError extends Error {
  override name = 'RateSpecError';
}

/**
 * A rate as a user writes it, in requests per minute (`600/min`) or per second (`10/s`), to requests
 * per second. Whole or decimal numbers above zero; nothing else is guessed (a bare number could mean
 * either unit, so it is refused).
 *
 * @example
 * ```ts
 * parseRate('600/min'); // 10
 * parseRate('2.5/s');   // 2.5
 * ```
 */
export function parseRate(text: string, option = '--rate'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(min|s)\s*$/i.exec(text);
  const perUnit = match ? Number(match[1]) : Number.NaN;
  if (!match || !(perUnit > 0) || !Number.isFinite(perUnit)) {
    throw new RateSpecError(
      `${option} must be requests per minute or per second, like 600/min or 10/s (a number above 0), got ${JSON.stringify(text)}`,
    );
  }
  return (match[2] as string).toLowerCase() === 'min' ? perUnit / 60 : perUnit;
}
