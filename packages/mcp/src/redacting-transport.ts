import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * `transport` with every message it sends redacted, whole: tool results, resource contents, error
 * replies (a resource's failure is the SDK's own JSON-RPC error), progress notifications and logs. The
 * one choke point between the server and the agent; receiving, closing and the rest are the transport's.
 */
export function redactingTransport(transport: Transport, redact: (value: unknown) => unknown): Transport {
  const send: Transport['send'] = (message, options) =>
    transport.send(redact(message) as typeof message, options);
  return new Proxy(transport, {
    get(target, property) {
      if (property === 'send') return send;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value, target);
    },
  });
}
