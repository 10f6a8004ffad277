/**
 * A real `fetch` that adds Prism's `Prefer` header and records what came back, so contract tests can
 * select an example and assert that no response carried `sl-violations`.
 */
export interface RecordingFetch {
  fetch: typeof fetch;
  responses: Response[];
  violations(): string[];
}

export function prismFetch(prefer?: string): RecordingFetch {
  const responses: Response[] = [];
  return {
    responses,
    async fetch(input, init) {
      const request = new Request(input, init);
      if (prefer) request.headers.set('Prefer', prefer);
      const response = await fetch(request);
      responses.push(response);
      return response;
    },
    violations: () =>
      responses.map((r) => r.headers.get('sl-violations')).filter((v): v is string => v !== null),
  };
}
