import { resolve } from 'node:path';
import { IdpValidationError } from '@idp-kit/client';

/**
 * Runs an example's main function. A failure is one line on stderr, without a stack: the examples are
 * read by people trying idp-kit out, and the error's message already says what went wrong and what to do.
 * Exit code 2 for bad settings or input, 1 for anything else.
 */
export async function runExample(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`${name}: ${message.split('\n')[0]}`);
    process.exitCode = error instanceof IdpValidationError || error instanceof InputError ? 2 : 1;
  }
}

/** Bad input the user can fix (a file that cannot be read, a missing argument). */
export class InputError extends Error {}

/**
 * A path as the user typed it: relative to the folder they ran the command in. `pnpm --filter … run`
 * starts scripts in the package's folder and says where the user was in INIT_CWD.
 */
export function userPath(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}
