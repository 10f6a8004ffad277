import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { freePort, type RunningMock } from '@idp-kit/mock';
import { IDS, pdfBytes } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/program.js';
import { cleanEnv, mockFront, settingsFor } from './helpers.js';

/** A free loopback port whose next port is free too (the report links side b to the next one). */
async function twoFreePorts(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port >= 65535) continue;
    const next = await new Promise<boolean>((resolve) => {
      const s = createServer()
        .once('error', () => resolve(false))
        .listen(port + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (next) return port;
  }
}

/** `idp …args` in this process; `signal` stops a command that serves until Ctrl-C. */
function idp(args: string[], env: Record<string, string>, cwd: string, signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (c) => (stdout += c));
  const err = new PassThrough().on('data', (c) => (stderr += c));
  const code = main(args, {
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: err as unknown as NodeJS.WriteStream,
    env: { ...cleanEnv, NO_COLOR: '1', ...env },
    cwd,
    ...(signal ? { signal } : {}),
  });
  return { code, out, stdout: () => stdout, stderr: () => stderr };
}

interface Change {
  field: string;
  kind: string;
  file: { a: string; b: string };
  a: { value: string | null; confidence?: number };
  b: { value: string | null; confidence?: number };
}

/** The data the report's page draws, as the page reads it. */
function pageData(html: string) {
  const json = /<script id="diff-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)?.[1];
  return JSON.parse(json ?? 'null') as {
    views: { a?: string; b?: string };
    links?: { a?: string; b?: string }[];
    report: { changes: Change[] };
  };
}

describe('idp diff --run against the mock: 1.2.0 answers differently, and the report links to idp view', () => {
  let mock: RunningMock | undefined;
  let work = '';
  let port = 0;
  const env = () => settingsFor(mock as RunningMock);
  beforeAll(async () => {
    mock = await mockFront({ lifecycleMs: 200 });
    work = await mkdtemp(join(tmpdir(), 'idp-diff-mock-'));
    await mkdir(join(work, 'in'));
    for (let i = 0; i < 3; i++)
      await writeFile(join(work, 'in', `invoice-${i}.pdf`), pdfBytes(1, { text: `invoice ${i}` }));
    port = await twoFreePorts();
  });
  afterAll(async () => {
    await mock?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the README workflow: a real diff, and the gate fails (exit 10) on the changed total and the lost prompt', async () => {
    const run = idp(
      [
        'diff',
        '--run',
        'in',
        '--action',
        IDS.actionId,
        '--versions',
        '1.1.0,1.2.0',
        '--out',
        'upgrade',
        '--yes',
        '--json',
        '--html',
        'diff.html',
        '--view-port',
        String(port),
        '--fail-on',
        'changed:5%,missing-field',
        // The mock settles in 200 ms; the default first poll waits 10 s.
        '--interval',
        '200ms',
      ],
      env(),
      work,
    );
    expect(await run.code, run.stderr()).toBe(10);
    const report = JSON.parse(run.stdout()) as {
      fields: Record<
        string,
        { agree: number; changed: number; disappeared: number; meanConfidence: { change: number } }
      >;
      gate: { rules: { rule: string; broken: boolean; fields: string[] }[] };
    };
    expect(report.fields.totalAmount).toMatchObject({ agree: 0, changed: 3 });
    expect(report.fields.paymentTerms).toMatchObject({ agree: 0, disappeared: 3 });
    expect(report.fields.invoiceDate).toMatchObject({ agree: 3, changed: 0 });
    expect(report.fields.invoiceDate?.meanConfidence.change).toBeCloseTo(81.5 - 97.9, 6);
    expect(report.fields.vendorName).toMatchObject({ agree: 3, changed: 0, disappeared: 0 });
    expect(report.gate.rules).toEqual([
      { rule: 'changed:5%', broken: true, fields: ['totalAmount', 'paymentTerms'] },
      { rule: 'missing-field', broken: true, fields: ['paymentTerms'] },
    ]);
  });

  it.each([
    ['a', 0],
    ['b', 1],
  ] as const)(
    'each changed value links to its own document in idp view of side %s, served as the report says',
    async (side, offset) => {
      const data = pageData(await readFile(join(work, 'diff.html'), 'utf8'));
      const dir = join(work, 'upgrade', side === 'a' ? '1.1.0' : '1.2.0');
      expect(data.views[side]).toBe(`idp view ${dir} --port ${port + offset} --no-open`);
      expect(data.links).toHaveLength(6);
      // The command the page shows, run as shown: its page numbers documents as the links do.
      const stop = new AbortController();
      const view = idp(['view', dir, '--port', String(port + offset), '--no-open'], env(), work, stop.signal);
      const base = `http://127.0.0.1:${port + offset}/`;
      await new Promise<void>((resolve) => {
        const seen = () => view.stdout().includes(base) && resolve();
        view.out.on('data', seen);
        seen();
      });
      try {
        const opened = new Set<string>();
        for (const [i, change] of data.report.changes.entries()) {
          const link = data.links?.[i]?.[side] ?? '';
          expect(link.startsWith(`${base}#doc=`), link).toBe(true);
          const n = link.slice(`${base}#doc=`.length);
          // What the viewer's page fetches for #doc=<n>: the document the changed value came from.
          const shown = (await (await fetch(`${base}api/view/${n}`)).json()) as { title: string };
          expect(shown.title).toBe(basename(change.file[side]));
          const value = change[side].value;
          if (value !== null) expect(JSON.stringify(shown)).toContain(JSON.stringify(value));
          opened.add(shown.title);
        }
        expect([...opened].sort()).toEqual(['invoice-0.pdf', 'invoice-1.pdf', 'invoice-2.pdf']);
      } finally {
        stop.abort();
        expect(await view.code).toBe(0);
      }
    },
  );
});
