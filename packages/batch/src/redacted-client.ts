import type { IdpClient } from '@idp-kit/client';

/**
 * `client` whose answers come back with its secrets blanked (`client.redactor`): a server that echoes
 * the token or Basic credentials into an execution must not get them into the journal, results.jsonl,
 * fields.csv or the events. The engine's one redaction point: every record is built from these answers
 * and from the client's errors, which the client redacts already.
 */
export function redactedClient(client: IdpClient): IdpClient {
  const redactor = client.redactor;
  if (!redactor) return client; // a hand-made client without one: nothing to redact with
  const clean = <T>(value: T): T => redactor.redactValue(value);
  const overrides: Partial<IdpClient> = {
    getExecution: async (ref, options) => clean(await client.getExecution(ref, options)),
    waitForExecution: async (ref, options) =>
      clean(
        await client.waitForExecution(ref, {
          ...options,
          ...(options?.onProgress ? { onProgress: (e) => options.onProgress?.(clean(e)) } : {}),
        }),
      ),
    submitExecution: async (input) => clean(await client.submitExecution(input)),
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      return Object.hasOwn(overrides, property)
        ? overrides[property as keyof IdpClient]
        : Reflect.get(target, property, receiver);
    },
  });
}
