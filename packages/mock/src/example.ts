/**
 * The ids of the execution the mock serves by default (the spec's first example, the brief's execution).
 * Any ids of the right shape work against the mock; these are the ones to show people.
 *
 * @example
 * ```ts
 * const { organizationId, ...ref } = EXAMPLE_EXECUTION;
 * await createIdpClient({ organizationId, baseUrl: mock.baseUrl, auth }).getExecution(ref);
 * ```
 */
export const EXAMPLE_EXECUTION = {
  organizationId: '01f79c97-9a83-4194-b922-15b64fd7305e',
  actionId: '90c3e286-72b5-42ca-92d0-22f86ea8d766',
  actionVersion: '1.1.0',
  executionId: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
} as const;
