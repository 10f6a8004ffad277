/** A usage problem: bad or missing input. Exit code 2, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
  /**
   * The message is the CLI's own text laid out in lines (a list of settings, say), with nothing from a
   * server or a file in it: it is printed as its lines. Any other message is printed as one line, so
   * text it quotes cannot fake a line of its own.
   */
  readonly ownLines: boolean;

  constructor(message: string, options: { ownLines?: boolean } = {}) {
    super(message);
    this.ownLines = options.ownLines ?? false;
  }
}
