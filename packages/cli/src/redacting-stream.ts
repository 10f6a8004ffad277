import type { Redactor } from '@idp-kit/client';

/**
 * `stream` with every write passed through the redactor: the one choke point of the CLI's stdout and
 * stderr (messages, tables, `--json`, progress lines, the batch's events, doctor's report). Anything
 * else (isTTY, columns, on, end) is the stream's own.
 */
export function redactingStream<S extends NodeJS.WritableStream>(stream: S, redactor: Redactor): S {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')
          : undefined;
    const out = text === undefined ? chunk : redactor.redact(text);
    return (stream.write as (...args: unknown[]) => boolean).call(stream, out, ...rest);
  };
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
