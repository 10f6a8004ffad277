import { closeAfterTest, execution, fakeIdp, IDS, json, runMain } from '@idp-kit/testkit';
import { describe, expect, it } from 'vitest';
import { idpMain, SECRET } from './helpers.js';

const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IDP_')));
const REF_FLAGS = ['--action', IDS.actionId, '--version', '1.1.0', '--execution', IDS.executionId];

const FAKE_STATUS = '\u001b[1A Status: SUCCEEDED (all values verified)';
const CLEAR = '\u001b[2J';
/** What a terminal acts on: ESC, CR, DEL, C1 (8-bit CSI), a bidi override. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what must never reach the terminal
const ACTS = /[\u001b\r\u007f\u0080-\u009f\u202e]/;

const hostileExecution = execution('FAILED', {
  documentName: `invoice${CLEAR}.pdf`,
  pages: [
    {
      page: 1,
      fields: {
        total: { value: `12.00\r${FAKE_STATUS}` },
        [`name${CLEAR}`]: { value: `\u009b2J\u202eevil\u007f` },
        note: { value: `a\nStatus: SUCCEEDED (all values verified)` },
      },
    },
  ],
});

async function idp(args: string[], baseUrl: string, tokenUrl: string) {
  return runMain(idpMain, args, {
    env: {
      ...cleanEnv,
      NO_COLOR: '1',
      IDP_BASE_URL: baseUrl,
      IDP_TOKEN_URL: tokenUrl,
      IDP_ORG_ID: IDS.organizationId,
      IDP_CLIENT_ID: 'cli-terminal',
      IDP_CLIENT_SECRET: SECRET,
    },
  });
}

const fake = async (...args: Parameters<typeof fakeIdp>) => closeAfterTest(await fakeIdp(...args));

/** Lines that start like the CLI's status line (after any indentation a table adds). */
const statusLines = (text: string) => text.split('\n').filter((line) => /^\s*Status:/.test(line));

describe('CLI: a hostile server cannot drive the terminal', () => {
  it('idp get of a FAILED execution whose values and file name carry escapes: none reach stdout or stderr, the real status line stands', async () => {
    const f = await fake((_q, r) => json(r, 200, hostileExecution));
    const run = await idp(['get', ...REF_FLAGS], f.baseUrl, f.tokenUrl);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).not.toMatch(ACTS);
    expect(run.stderr).not.toMatch(ACTS);
    expect(statusLines(run.stdout)).toEqual(['Status: FAILED']);
    // the values are still there, shown as escapes
    expect(run.stdout).toContain('\\x1b[1A Status: SUCCEEDED (all values verified)');
    expect(run.stdout).toContain('invoice\\x1b[2J.pdf');
  });

  it('idp get --json of the same: the same JSON, with nothing a terminal acts on left raw', async () => {
    const f = await fake((_q, r) => json(r, 200, hostileExecution));
    const run = await idp(['get', ...REF_FLAGS, '--json'], f.baseUrl, f.tokenUrl);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).not.toMatch(ACTS);
    expect(JSON.parse(run.stdout)).toEqual(hostileExecution);
  });

  it('a problem detail with escapes and line breaks: one error line on stderr, nothing acts', async () => {
    const f = await fake((_q, r) =>
      json(r, 404, {
        status: 404,
        title: `Not Found${CLEAR}`,
        detail: `gone\r\n${FAKE_STATUS}\nStatus: SUCCEEDED (all values verified)`,
      }),
    );
    const run = await idp(['get', ...REF_FLAGS, '--verbose'], f.baseUrl, f.tokenUrl);
    expect(run.code, run.stderr).toBe(1);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(ACTS);
    expect(statusLines(`${run.stdout}${run.stderr}`)).toEqual([]);
    expect(run.stderr).toMatch(/^idp: .*404.*gone/m);
  });

  it('idp wait: a status with escapes in the progress lines is shown as text', async () => {
    const f = await fake((_q, r, index) =>
      json(r, 200, index === 0 ? execution(`IN_PROGRESS${CLEAR}\r${FAKE_STATUS}`) : hostileExecution),
    );
    const run = await idp(['wait', ...REF_FLAGS, '--interval', '1ms'], f.baseUrl, f.tokenUrl);
    expect(run.code, run.stderr).toBe(3);
    expect(`${run.stdout}${run.stderr}`).not.toMatch(ACTS);
    expect(run.stderr).toContain('IN_PROGRESS\\x1b[2J');
    expect(statusLines(`${run.stdout}${run.stderr}`)).toEqual(['Status: FAILED']);
  });
});

describe('CLI: a 1 MB value in a table', () => {
  it('idp get: the value is cut to one screen-wide cell with an ellipsis and a hint; --json has it whole', async () => {
    const huge = 'ä'.repeat(1024 * 1024);
    const body = execution('SUCCEEDED', {
      pages: [{ page: 1, fields: { huge: { value: huge }, small: { value: 'INV-1' } } }],
    });
    const f = await fake((_q, r) => json(r, 200, body));
    const run = await idp(['get', ...REF_FLAGS], f.baseUrl, f.tokenUrl);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.length).toBeLessThan(2_000);
    const row = run.stdout.split('\n').find((line) => line.includes('huge'));
    expect(row).toMatch(/ä…/);
    expect(row?.length).toBeLessThanOrEqual(120);
    expect(run.stdout).toContain('(1 value cut at 80 columns: --json shows it whole)');
    expect(run.stdout).toMatch(/small\s+INV-1/);
    const whole = await idp(['get', ...REF_FLAGS, '--json'], f.baseUrl, f.tokenUrl);
    expect(JSON.parse(whole.stdout).pages[0].fields.huge.value).toBe(huge);
  });
});
