import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchProgress } from './batch-progress.js';

const plain = { dim: (s: string) => s, warn: (s: string) => s } as Parameters<typeof batchProgress>[1];

function capture() {
  const stream = new PassThrough() as PassThrough & NodeJS.WriteStream;
  let text = '';
  stream.on('data', (c) => {
    text += c;
  });
  return { stream, text: () => text };
}

describe('the batch progress line', () => {
  it("counts this worker's transitions", () => {
    const out = capture();
    const shown = batchProgress(out.stream, plain, 0);
    shown.event({ type: 'start', documents: 2, resumed: 0 });
    shown.event({ type: 'state', fileName: 'a.pdf', path: '/a.pdf', state: 'retrieved' });
    shown.stop();
    expect(out.text().trim().split('\n').at(-1)).toMatch(/^1\/2 done · 1 retrieved · /);
  });

  it("a shared batch: the whole batch's counts, every worker's, replace this worker's own", () => {
    const out = capture();
    const shown = batchProgress(out.stream, plain, 0);
    shown.event({ type: 'start', documents: 10, resumed: 0 });
    shown.event({ type: 'state', fileName: 'a.pdf', path: '/a.pdf', state: 'retrieved' });
    shown.event({ type: 'counts', states: { retrieved: 7, submitted: 2, queued: 1 } });
    shown.stop();
    expect(out.text().trim().split('\n').at(-1)).toMatch(
      /^7\/10 done · 1 queued · 2 submitted · 7 retrieved · /,
    );
  });
});
