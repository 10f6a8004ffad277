import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBatch } from '@idp-kit/batch';
import { createIdpClient } from '@idp-kit/client';
import { pdfBytes } from '@idp-kit/testkit';
import { ACTION, ORG, startBatchFake } from './batch-fake-process.js';

const fake = await startBatchFake({
  LATENCY_MS: '5',
  POLLS: '2',
  RATE_LIMITED: '0',
  UNAVAILABLE: '0',
  LARGE: '1',
});
const dir = await mkdtemp(join(tmpdir(), 'diag-'));
await mkdir(join(dir, 'in'));
for (let i = 0; i < Number(process.env.N ?? 50); i++)
  await writeFile(join(dir, 'in', `d${i}.pdf`), pdfBytes(1, { text: `d ${i}` }));
const peak = 0;
let phase = 'run';
const peaks: Record<string, number> = {};
setInterval(() => {
  const r = process.memoryUsage().rss;
  peaks[phase] = Math.max(peaks[phase] ?? 0, r >> 20);
}, 5).unref();
let retrieved = 0;
await runBatch({
  client: createIdpClient({
    organizationId: ORG,
    baseUrl: fake.baseUrl,
    auth: {
      clientId: 'b',
      clientSecret: 'bench-secret',
      tokenUrl: `${fake.baseUrl}/accounts/api/v2/oauth2/token`,
    },
  }),
  inputs: [join(dir, 'in')],
  ...ACTION,
  outDir: join(dir, 'out'),
  pollIntervalMs: 100,
  maxPollIntervalMs: 100,
  valueOnly: false,
  onEvent: (e) => {
    if (e.type === 'state' && e.state === 'retrieved' && ++retrieved === Number(process.env.N ?? 50))
      phase = 'outputs';
  },
});
console.log(peaks, 'maxRSS', process.resourceUsage().maxRSS >> 10);
fake.stop();
