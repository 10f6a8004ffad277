import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningMock } from '@idp-kit/mock';
import { IDS, pdfBytes, type Ran, runNode } from '@idp-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, mockFront, runIdp, settingsFor } from './helpers.js';

/**
 * `idp batch` runs in this process (`main()` with the test's folder as `cwd`): the engine reads inputs
 * and opens `--out` against that folder. Ctrl-C is the bin's (its SIGINT handler), so that one test
 * spawns it.
 */

const TARGET = ['--action', IDS.actionId, '--version', '1.1.0'];

describe('idp batch against the mock', () => {
  let mock: RunningMock | undefined;
  let dir = '';
  beforeAll(async () => {
    mock = await mockFront({ lifecycleMs: 1_000 });
    dir = await mkdtemp(join(tmpdir(), 'idp-batch-cli-'));
    await mkdir(join(dir, 'in'));
    for (let i = 0; i < 4; i++)
      await writeFile(join(dir, 'in', `invoice-${i}.pdf`), pdfBytes(1, { text: `invoice ${i}` }));
    await writeFile(join(dir, 'in', 'empty.pdf'), '');
    await writeFile(join(dir, 'in', 'notes.txt'), 'not a document');
    await writeFile(join(dir, 'in', '.DS_Store'), '');
  });
  afterAll(async () => {
    await mock?.stop();
    if (dir) await rm(dir, { recursive: true });
  });
  const env = () => {
    if (!mock) throw new Error('setup: the mock did not start (see the beforeAll error above)');
    return { ...cleanEnv, NO_COLOR: '1', ...settingsFor(mock) };
  };
  const idp = (args: string[]): Promise<Ran> => runIdp(args, { env: env(), cwd: dir });

  it('run: results files, a summary on stderr, exit 8 when a document was rejected; rerun sends nothing', async () => {
    const run = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'out', '--interval', '10ms']);
    expect(run.stderr).toContain('empty.pdf: rejected (the file is empty)');
    // Every file left out is said, with why.
    expect(run.stderr).toContain(
      `${join(dir, 'in', 'notes.txt')}: skipped (not a PDF, PNG, JPG or TIFF file (by its extension))`,
    );
    expect(run.stderr).toContain(
      `${join(dir, 'in', '.DS_Store')}: skipped (hidden (its name starts with a dot))`,
    );
    expect(run.stderr).toContain('2 file(s) in the input folders were not taken (listed above, with why)');
    expect(run.stderr).toContain('4 of 5 documents SUCCEEDED (4 retrieved, 1 rejected); outputs in out');
    expect(run.code).toBe(8);
    const lines = (await readFile(join(dir, 'out', 'results.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).state).sort()).toEqual([
      'rejected',
      'retrieved',
      'retrieved',
      'retrieved',
      'retrieved',
    ]);
    const status = await idp(['batch', 'status', 'out', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ documents: 5, succeeded: 4, review: [] });
    expect(status.code).toBe(0); // it could read the batch (the run's own exit code was 8)
    const text = await idp(['batch', 'status', 'out']);
    expect(text.stdout).toContain('4 of 5 documents SUCCEEDED (4 retrieved, 1 rejected); batch out');
    expect(text.code).toBe(0);
    const again = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'out', '--json']);
    const events = again.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'state')).toEqual([]); // nothing left to do
    expect(again.code).toBe(8);
  });

  it('export rebuilds a deleted output from the journal', async () => {
    await rm(join(dir, 'out', 'fields.csv'));
    const run = await idp(['batch', 'export', 'out', '--csv']);
    expect(run.code).toBe(0);
    const csv = await readFile(join(dir, 'out', 'fields.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('file,execution_id,status,kind,page,table,row,name,value,confidence');
    expect(csv).toMatch(/invoice-0\.pdf,[0-9a-f-]{36},SUCCEEDED,field,1,,,invoiceNumber,INV-2291,/);
  });

  it('Ctrl-C stops the run cleanly (exit 130); the same command resumes and finishes', async () => {
    const args = ['batch', 'run', 'in', ...TARGET, '--out', 'out2', '--json', '--interval', '10ms'];
    const child = spawn(process.execPath, [BIN, ...args], { env: env(), cwd: dir });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (c) => {
        stdout += c;
        // Interrupt as soon as one document is submitted: an event, not a timer.
        if (!sent && stdout.includes('"state":"submitted"')) {
          sent = true; // once: a second Ctrl-C leaves at once, by design
          child.kill('SIGINT');
        }
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted (Ctrl-C)');
    expect(stderr).toContain('rerun the same command to resume');
    const resumed = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'out2', '--interval', '10ms']);
    expect(resumed.code).toBe(8); // the empty file
    // The upload in flight at Ctrl-C finished and its id was journaled: nothing uncertain, nothing lost.
    expect(resumed.stderr).toContain('4 of 5 documents SUCCEEDED (4 retrieved, 1 rejected)');
  });

  it('bad input says what to do: no such folder (2), a folder another run holds (2)', async () => {
    const missing = await idp(['batch', 'run', 'nope/', ...TARGET, '--out', 'out3']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\/: no such file or folder/);
    const noJournal = await idp(['batch', 'status', 'in']);
    expect(noJournal.code).toBe(2);
    expect(noJournal.stderr).toContain('in holds no batch journal');
  });

  it("a folder lock left by a killed run is taken over with a line saying so; another host's is refused (2) with how to take it over", async () => {
    const gone = await runNode(['-e', 'process.stdout.write(String(process.pid))']);
    await mkdir(join(dir, 'out-lock'));
    await writeFile(
      join(dir, 'out-lock', 'journal.lock'),
      JSON.stringify({ host: hostname(), pid: Number(gone.stdout) }),
    );
    const run = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'out-lock', '--interval', '10ms']);
    expect(run.stderr).toContain(
      `took over the lock of out-lock: it was left by a run that ended (pid ${gone.stdout} on this host)`,
    );
    expect(run.code).toBe(8); // the batch itself: as the first test (one rejected)
    await writeFile(join(dir, 'out-lock', 'journal.lock'), JSON.stringify({ host: 'worker-7', pid: 1 }));
    const refused = await idp(['batch', 'run', 'in', ...TARGET, '--out', 'out-lock']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `a batch run on host worker-7 (pid 1) holds out-lock: wait for it, or stop it. This host cannot see whether it still runs: once you are sure it has ended (its machine or container is gone), delete ${join('out-lock', 'journal.lock')} and run again.`,
    );
  });
});
