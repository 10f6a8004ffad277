import type { Redactor } from '@idp-kit/client';

/**
 * `stream` with every write passed through the redactor: the one choke point of the CLI's stdout and
 * stderr (messages, tables, `--json`, progress lines, the batch's events, doctor's report). Anything
 * else (isTTY, columns, on, end) is the stream's own.
 *
 * A library may hook `write` (a spinner does: it saves `write`, sets its own, restores it later); the
 * hook is kept on the wrapper, and the saved one is the redacting write, which goes to the stream's own
 * write as it was when wrapped. Setting it on the stream itself would loop.
 */
export function redactingStream<S extends NodeJS.WritableStream>(stream: S, redactor: Redactor): S {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const redacting = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')
          : undefined;
    return original(text === undefined ? chunk : redactor.redact(text), ...rest);
  };
  let write: unknown = redacting;
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(target, property, value) {
      if (property === 'write') write = value;
      else Reflect.set(target, property, value, target);
      return true;
    },
  });
}
