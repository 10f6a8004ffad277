import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalInputError } from '../src/inputs.js';
import { readResults } from '../src/read-results.js';
import { parseTruthCsv, readTruth } from '../src/read-truth.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-eval-readers-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readResults', () => {
  it('reads a batch folder and its results.jsonl, line by line', async () => {
    const line = {
      file: '/in/a.pdf',
      hash: 'ab',
      state: 'retrieved',
      fields: [{ kind: 'field', name: 'total', value: 12, confidence: 91 }],
    };
    await writeFile(
      join(dir, 'results.jsonl'),
      `${JSON.stringify(line)}\r\n\n${JSON.stringify({ ...line, file: '/in/b.pdf' })}\n`,
    );
    const fromFolder = await readResults(dir);
    expect(fromFolder).toEqual([
      {
        file: '/in/a.pdf',
        hash: 'ab',
        fields: [{ kind: 'field', name: 'total', value: '12', confidence: 91 }],
      },
      {
        file: '/in/b.pdf',
        hash: 'ab',
        fields: [{ kind: 'field', name: 'total', value: '12', confidence: 91 }],
      },
    ]);
    expect(await readResults(join(dir, 'results.jsonl'))).toEqual(fromFolder);
  });
  it('says which line is not a result', async () => {
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, '{"file":"a.pdf","fields":[]}\n{"file":\n');
    await expect(readResults(file)).rejects.toThrow(/bad\.jsonl line 2 is not JSON/);
    await expect(readResults(join(dir, 'missing'))).rejects.toThrow(EvalInputError);
  });
});

describe('readTruth', () => {
  it('CSV: a file column, then one per field; empty cells are absent values', () => {
    expect(parseTruthCsv('\uFEFFfile,total,po\r\na.pdf,"1,200.00",\r\n')).toEqual([
      { file: 'a.pdf', fields: { total: '1,200.00', po: '' }, line: 2 },
    ]);
  });
  it('CSV: names the malformed line', async () => {
    const file = join(dir, 'truth.csv');
    await writeFile(file, 'file,total\na.pdf,1\nb.pdf,2,3\n');
    await expect(readTruth(file)).rejects.toThrow(/truth\.csv line 3 is not valid CSV/);
    expect(() => parseTruthCsv('name,total\na.pdf,1\n')).toThrow(/no "file" column/);
  });
  it('JSONL: fields and tables; names the malformed line', async () => {
    const file = join(dir, 'truth.jsonl');
    await writeFile(
      file,
      '{"file":"a.pdf","fields":{"total":12,"po":null},"tables":{"items":[{"sku":"A1"}]}}\n',
    );
    expect(await readTruth(file)).toEqual([
      { file: 'a.pdf', fields: { total: '12', po: null }, tables: { items: [{ sku: 'A1' }] }, line: 1 },
    ]);
    await writeFile(file, '{"file":"a.pdf","fields":{}}\n\n{"fields":{}}\n');
    await expect(readTruth(file)).rejects.toThrow(/truth\.jsonl line 3 has no "file"/);
    await writeFile(file, '{"file":"a.pdf","tables":{"items":{}}}\n');
    await expect(readTruth(file)).rejects.toThrow(/line 1: table "items" must be a list/);
  });
});
