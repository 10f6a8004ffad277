import type { BatchEvent, DocumentState } from '@idp-kit/batch';
import type { Style } from './style.js';
import { terminalLine } from './terminal-text.js';

const SHOWN: DocumentState[] = [
  'queued',
  'submitted',
  'settled',
  'retrieved',
  'rejected',
  'error',
  'uncertain',
  'expired',
];

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * The batch's progress on stderr: on a terminal one line redrawn (a bar, counts per state, rate, ETA);
 * otherwise a plain line at most every `everyMs` (logs, CI). Counts come from the engine's events.
 */
export function batchProgress(stream: NodeJS.WriteStream, style: Style, everyMs = 10_000) {
  const states = new Map<string, DocumentState>();
  /** A shared batch: the whole batch's counts (every worker's), which replace this worker's own. */
  let shared: Partial<Record<DocumentState, number>> | undefined;
  /** Documents said to be another batch's duplicate. */
  const reused = new Set<string>();
  let total = 0;
  const started = Date.now();
  let lastPrinted = 0;

  function byState(): Map<DocumentState, number> {
    if (shared) return new Map(Object.entries(shared) as [DocumentState, number][]);
    const by = new Map<DocumentState, number>();
    for (const state of states.values()) by.set(state, (by.get(state) ?? 0) + 1);
    return by;
  }

  function counts(): string {
    const by = byState();
    return SHOWN.filter((s) => by.get(s))
      .map((s) => `${by.get(s)} ${s}`)
      .join(' · ');
  }

  const finishedCount = () =>
    [...byState()]
      .filter(([s]) => !['queued', 'submitting', 'submitted'].includes(s))
      .reduce((sum, [, n]) => sum + n, 0);

  function line(): string {
    const finished = finishedCount();
    const elapsed = Date.now() - started;
    const rate = elapsed > 0 ? (finished / elapsed) * 1000 : 0;
    const eta = rate > 0 ? ` · ETA ${duration(((total - finished) / rate) * 1000)}` : '';
    const width = 20;
    const filled = total > 0 ? Math.round((finished / total) * width) : 0;
    const bar = stream.isTTY ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
    const by = counts();
    return `${bar}${finished}/${total} done${by ? ` · ${by}` : ''} · ${rate.toFixed(1)}/s${eta}`;
  }

  function draw(force = false): void {
    if (stream.isTTY) {
      stream.write(`\r\u001b[2K${style.dim(line())}`);
    } else if (force || Date.now() - lastPrinted >= everyMs) {
      lastPrinted = Date.now();
      stream.write(`${line()}\n`);
    }
  }

  return {
    event(event: BatchEvent): void {
      if (event.type === 'start') total = event.documents;
      if (event.type === 'counts') {
        shared = event.states;
        total = Object.values(event.states).reduce<number>((a, b) => a + (b ?? 0), 0);
      }
      if (event.type === 'state') states.set(event.path, event.state);
      if (event.type === 'state' && ['uncertain', 'error', 'expired', 'rejected'].includes(event.state)) {
        if (stream.isTTY) stream.write('\r\u001b[2K');
        // The file name is the disk's and the error may quote a server: one line, nothing that acts.
        const error = event.error ? ` (${terminalLine(event.error)})` : '';
        stream.write(`${style.warn(`${terminalLine(event.fileName)}: ${event.state}`)}${error}\n`);
      }
      if (event.type === 'state' && event.duplicateOf && event.executionId && !reused.has(event.path)) {
        // Not sent: another batch of the store paid for it. Said once, when it is taken over.
        reused.add(event.path);
        if (stream.isTTY) stream.write('\r\u001b[2K');
        stream.write(
          `${style.dim(`${terminalLine(event.fileName)}: duplicate of batch ${terminalLine(event.duplicateOf)} (execution ${event.executionId}), not sent again`)}\n`,
        );
      }
      if (event.type === 'takeover') {
        // A lock a killed run left behind: taken, and said, so that nobody wonders later.
        if (stream.isTTY) stream.write('\r\u001b[2K');
        stream.write(`${style.warn(terminalLine(event.message))}\n`);
      }
      if (event.type === 'callbacks') {
        // Where IDP's callbacks must arrive: a proxy or tunnel forwards the public URL here.
        if (stream.isTTY) stream.write('\r\u001b[2K');
        stream.write(
          `${style.dim(terminalLine(`listening for IDP callbacks on ${event.listening} (IDP calls ${event.url})`))}\n`,
        );
      }
      if (event.type === 'skipped') {
        // Every file of an input folder that the batch leaves out is said, with why.
        if (stream.isTTY) stream.write('\r\u001b[2K');
        stream.write(`${style.dim(`${event.path}: skipped (${event.reason})`)}\n`);
      }
      if (event.type !== 'end') draw();
    },
    stop(): void {
      if (stream.isTTY) stream.write('\r\u001b[2K');
      else if (finishedCount() < total || lastPrinted === 0) draw(true);
    },
  };
}
