import { createIdpClient, extractFields, IdpValidationError, parseExecutionUrl } from '@idp-kit/client';
import { parseRetryAfter } from '@idp-kit/http';
import { IDS, type Loopback, loopback } from '@idp-kit/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const RUNS = 10_000;
const PREFIX = '/api/v1/organizations/';

// Building blocks an attacker (or a bad copy-paste) would use in an id or a URL.
const nasty = fc.constantFrom(
  '/',
  '..',
  '%2F',
  '%2e%2e',
  '\\',
  '?',
  '#',
  '%',
  '%00',
  '\n',
  ' ',
  '@',
  ':',
  '+',
  '~',
  'é',
  '😀',
  '',
);
const idLike = fc.oneof(
  { arbitrary: fc.uuid(), weight: 6 },
  fc.string(),
  fc
    .array(fc.oneof(nasty, fc.stringMatching(/^[0-9a-f-]{0,12}$/), fc.uuid()), { maxLength: 6 })
    .map((parts) => parts.join('')),
  fc.uuid().chain((u) => nasty.map((n) => `${u}${n}`)),
);
const semverLike = fc.oneof(
  { arbitrary: fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`), weight: 4 },
  fc
    .tuple(fc.nat(9), fc.nat(9), fc.nat(9), fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/))
    .map(([a, b, c, d]) => `${a}.${b}.${c}-${d}`),
  fc
    .tuple(fc.nat(9), fc.nat(9), fc.nat(9), fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/))
    .map(([a, b, c, d]) => `${a}.${b}.${c}+${d}`),
  fc.string(),
  fc
    .array(fc.oneof(nasty, fc.nat(99).map(String), fc.constant('.')), { maxLength: 7 })
    .map((p) => p.join('')),
);

function onlyValidationErrors(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    expect(error).toBeInstanceOf(IdpValidationError);
    return undefined;
  }
}

describe('property: parseExecutionUrl', () => {
  const base = fc.constantFrom(
    'https://idp-rt.us-east-1.anypoint.mulesoft.com',
    'http://127.0.0.1:4010',
    'http://example.com',
    'ftp://x',
    'https://a.b/prefix',
  );
  const urlLike = fc.oneof(
    fc.string(),
    fc.webUrl(),
    fc
      .tuple(base, idLike, idLike, semverLike, idLike)
      .map(
        ([b, org, action, version, execution]) =>
          `${b}/api/v1/organizations/${org}/actions/${action}/versions/${version}/executions/${execution}`,
      ),
  );

  it(`throws nothing but IdpValidationError, and what it returns is valid (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(urlLike, (url) => {
        const parsed = onlyValidationErrors(() => parseExecutionUrl(url)) as
          | ReturnType<typeof parseExecutionUrl>
          | undefined;
        if (!parsed) return;
        for (const id of [parsed.organizationId, parsed.actionId, parsed.executionId])
          expect(id).toMatch(/^[0-9a-f-]{36}$/i);
        expect(parsed.actionVersion).toMatch(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)*$/);
        expect(parsed.baseUrl.startsWith('https://') || parsed.baseUrl.startsWith('http://127.0.0.1')).toBe(
          true,
        );
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: ids never leave their path segment', () => {
  let server: Loopback;
  beforeAll(async () => {
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"x","documentName":"d","status":"IN_PROGRESS"}');
    });
  });
  afterAll(() => server.close());

  it(`getExecution: invalid ids are refused before sending; valid ones land in exactly their segment (${RUNS} runs, real sockets)`, async () => {
    const client = createIdpClient({
      organizationId: IDS.organizationId,
      baseUrl: server.url,
      auth: { getToken: async () => 't', invalidate: () => {} },
      retry: false,
    });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(idLike, semverLike, idLike, async (actionId, actionVersion, executionId) => {
        const before = server.requests.length;
        let ok = true;
        try {
          await client.getExecution({ actionId, actionVersion, executionId });
        } catch (error) {
          expect(error).toBeInstanceOf(IdpValidationError);
          ok = false;
        }
        if (!ok) {
          expect(server.requests.length).toBe(before);
          return;
        }
        sent++;
        const path = (server.requests.at(-1)?.url ?? '').split('?')[0] ?? '';
        expect(path.startsWith(PREFIX)).toBe(true);
        const segments = path.slice(1).split('/');
        expect(segments).toHaveLength(10);
        expect(segments.map(decodeURIComponent)).toEqual([
          'api',
          'v1',
          'organizations',
          IDS.organizationId,
          'actions',
          actionId,
          'versions',
          actionVersion,
          'executions',
          executionId,
        ]);
      }),
      { numRuns: RUNS },
    );
    // the generators must reach the valid side often enough to mean something
    expect(sent).toBeGreaterThan(RUNS / 20);
  }, 120_000);
});

describe('property: Retry-After parsing', () => {
  it(`never throws; gives undefined or a finite delay ≥ 0 (${RUNS} runs)`, () => {
    const header = fc.oneof(
      fc.string(),
      fc.integer().map(String),
      fc.double().map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.constantFrom(
        '',
        ' 5 ',
        '-1',
        '1e3',
        'Infinity',
        'NaN',
        '0x10',
        '99999999999',
        'Wed, 21 Oct 2015 07:28:00 GMT',
      ),
    );
    fc.assert(
      fc.property(
        fc.option(header, { nil: null }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (value, now) => {
          const ms = parseRetryAfter(value, now);
          if (ms === undefined) return;
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('property: extractFields', () => {
  const field = fc.oneof(
    fc.record({ value: fc.oneof(fc.string(), fc.constant(null)) }, { requiredKeys: [] }),
    fc.record(
      { value: fc.string(), confidenceScore: fc.double(), geometry: fc.anything() },
      { requiredKeys: [] },
    ),
    fc.anything(),
  );
  const map = fc.oneof(fc.dictionary(fc.string(), field, { maxKeys: 5 }), fc.anything());
  const envelope = fc.record(
    {
      page: fc.oneof(fc.integer(), fc.string(), fc.anything()),
      fields: map,
      tables: fc.oneof(
        fc.dictionary(fc.string(), fc.array(map, { maxLength: 3 }), { maxKeys: 3 }),
        fc.anything(),
      ),
      prompts: fc.oneof(
        fc.dictionary(
          fc.string(),
          fc.record({ prompt: fc.anything(), answer: field }, { requiredKeys: [] }),
          { maxKeys: 3 },
        ),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  );
  const execution = fc.oneof(
    fc
      .record(
        { status: fc.string(), pages: fc.oneof(fc.array(envelope, { maxLength: 4 }), fc.anything()) },
        { requiredKeys: [] },
      )
      .chain((e) => envelope.map((top) => ({ ...top, ...e }))),
    fc.anything(),
  );

  it(`never throws on anything shaped like a result, and returns well-formed entries (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(execution, (value) => {
        const fields = extractFields(value);
        expect(Array.isArray(fields)).toBe(true);
        for (const f of fields) {
          expect(typeof f.name).toBe('string');
          expect(f.value === null || typeof f.value === 'string').toBe(true);
          expect(['field', 'cell', 'prompt']).toContain(f.kind);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
