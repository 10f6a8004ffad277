import { createInterface } from 'node:readline/promises';
import { IdpAbortError } from '@idp-kit/client';
import type { Io } from './context.js';

/**
 * A yes/no answer from the person at the terminal: `io.confirm` when given (tests), else a prompt on
 * stderr read from stdin when stdin is a terminal. `undefined` when nobody can be asked (a pipe, CI):
 * the caller must then stop, never take silence for a yes. Ctrl-C at the prompt is an interruption
 * (exit 130), as everywhere else.
 */
export async function confirm(io: Io, question: string): Promise<boolean | undefined> {
  if (io.confirm) return io.confirm(question);
  if (!process.stdin.isTTY) return undefined;
  const prompt = createInterface({ input: process.stdin, output: io.stderr });
  // The terminal is in raw mode while it asks: Ctrl-C reaches readline, not the process's SIGINT.
  const stop = new AbortController();
  prompt.on('SIGINT', () => stop.abort());
  io.signal?.addEventListener('abort', () => stop.abort(), { once: true });
  try {
    const answer = await prompt.question(`${question} [y/N] `, { signal: stop.signal });
    return /^\s*y(es)?\s*$/i.test(answer);
  } catch (error) {
    if (stop.signal.aborted) throw new IdpAbortError('confirm', new Error('interrupted at the prompt'));
    throw error;
  } finally {
    prompt.close();
  }
}
