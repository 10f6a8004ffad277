/**
 * A value as one POSIX shell word, so that a printed command pastes as it is: bare when it holds only
 * characters no shell treats specially, else in single quotes.
 */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
