import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAfterTest, execution, fakeIdp, IDS, json, pdfBytes } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runIdp, settingsFor } from './helpers.js';

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];
/** Nothing listens here: a run that got past its checks would fail to connect, not exit 2. */
const NOWHERE = { baseUrl: 'http://127.0.0.1:9', tokenUrl: 'http://127.0.0.1:9/token' };

describe('idp batch run --rate (IDP_RATE)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idp-batch-rate-'));
    await mkdir(join(dir, 'in'));
    await writeFile(join(dir, 'in', 'invoice.pdf'), pdfBytes(1, { text: 'invoice rate' }));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true });
  });

  it('a rate it cannot read is a usage error (exit 2) that shows the accepted form; nothing is sent', async () => {
    const env = { ...cleanEnv, ...settingsFor(NOWHERE) };
    const args = ['batch', 'run', join(dir, 'in'), ...TARGET, '--out', join(dir, 'bad')];
    const flag = await runIdp([...args, '--rate', 'fast'], { env });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      '--rate must be requests per minute or per second, like 600/min or 10/s (a number above 0), got "fast"',
    );
    const bare = await runIdp(args, { env: { ...env, IDP_RATE: '600' } });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('IDP_RATE must be requests per minute or per second, like 600/min or 10/s');
    const zero = await runIdp([...args, '--rate', '0/s'], { env });
    expect(zero.code).toBe(2);
  });

  it('bounds every request of the run: at 60/min, one a second at the IDP, the token request included', async () => {
    // A fake IDP that notes when each request arrives, by its own clock.
    const arrivals: string[] = [];
    const times: number[] = [];
    const note = (what: string) => {
      arrivals.push(what);
      times.push(Date.now());
    };
    let polls = 0;
    const idp = closeAfterTest(
      await fakeIdp(
        (req, res) => {
          note(req.method);
          if (req.method === 'POST')
            return json(res, 201, { id: IDS.executionId, documentName: 'invoice.pdf' });
          return json(res, 200, execution(polls++ === 0 ? 'IN_PROGRESS' : 'SUCCEEDED'));
        },
        (_req, res) => {
          note('token');
          json(res, 200, { access_token: 'tok-rate', token_type: 'bearer', expires_in: 3600 });
        },
      ),
    );
    const env = { ...cleanEnv, NO_COLOR: '1', ...settingsFor(idp), IDP_RATE: '60/min' };
    const run = await runIdp(
      ['batch', 'run', join(dir, 'in'), ...TARGET, '--out', join(dir, 'out'), '--interval', '10ms'],
      { env },
    );
    expect(run.stderr).toContain('1 of 1 documents SUCCEEDED');
    expect(run.code).toBe(0);
    expect(arrivals).toEqual(['token', 'POST', 'GET', 'GET']);
    // One a second, after a burst of one: granted at 0, 1, 2 and 3 s. Without the budget the four come
    // within a few milliseconds (the polls 10 ms apart).
    const span = (times.at(-1) as number) - (times[0] as number);
    expect(span).toBeGreaterThanOrEqual(2_500);
  });
});
