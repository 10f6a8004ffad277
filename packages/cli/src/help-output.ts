/**
 * What commander asks about the terminal (help width, colours), answered from the CLI's own streams and
 * environment rather than from `process`: `main(argv, io)` then behaves the same wherever its output
 * goes (a test's buffer, the real terminal). The answers are commander's own defaults, read from `io`.
 */

/** Commander's colour conventions (NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE), from `env`. */
function colourChosen(env: Record<string, string | undefined>): boolean | undefined {
  if (env.NO_COLOR || env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR || env.CLICOLOR_FORCE !== undefined) return true;
  return undefined;
}

type Terminal = { isTTY?: boolean; columns?: number; hasColors?: () => boolean };

/** Commander's width when it is told none (a pipe, a file). */
const DEFAULT_HELP_WIDTH = 80;

/** Help wraps at the terminal's width; piped, at commander's default. */
export function helpWidth(stream: Terminal): number {
  return (stream.isTTY ? stream.columns : undefined) ?? DEFAULT_HELP_WIDTH;
}

/** Whether commander may keep colours in the help it writes to `stream`. */
export function helpHasColors(stream: Terminal, env: Record<string, string | undefined>): boolean {
  return colourChosen(env) ?? (stream.isTTY === true && stream.hasColors?.() === true);
}
