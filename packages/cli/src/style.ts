import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

export interface Style {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
  ok(text: string): string;
  bad(text: string): string;
  /**
   * The exact escape sequences this style writes (none when it does not paint): the only ones the CLI
   * lets through to the terminal (see terminalText).
   */
  sequences?: readonly string[];
}

/** Colours only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
export function styleFor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): Style {
  const enabled = stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
  const paint = (format: Format) => (text: string) => (enabled ? styleText(format, text) : text);
  const painters = {
    bold: paint('bold'),
    dim: paint('dim'),
    warn: paint('yellow'),
    ok: paint('green'),
    bad: paint('red'),
  };
  // Each painter wraps text in an opening and a closing sequence: split them off an empty text.
  const sequences = [...new Set(Object.values(painters).flatMap((p) => p('\u0000').split('\u0000')))].filter(
    (s) => s.length > 0,
  );
  return { enabled, ...painters, sequences };
}
