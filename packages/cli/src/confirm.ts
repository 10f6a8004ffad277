import { createInterface } from 'node:readline/promises';
import type { Io } from './context.js';

/**
 * A yes/no answer from the person at the terminal: `io.confirm` when given (tests), else a prompt on
 * stderr read from stdin when stdin is a terminal. `undefined` when nobody can be asked (a pipe, CI):
 * the caller must then stop, never take silence for a yes.
 */
export async function confirm(io: Io, question: string): Promise<boolean | undefined> {
  if (io.confirm) return io.confirm(question);
  if (!process.stdin.isTTY) return undefined;
  const prompt = createInterface({ input: process.stdin, output: io.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `, io.signal ? { signal: io.signal } : {});
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    prompt.close();
  }
}
