import yoctoSpinner from 'yocto-spinner';
import { fitCell } from './cell.js';
import type { Style } from './style.js';

export interface Progress {
  update(status: string): void;
  stop(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * yocto-spinner installs its own SIGINT/SIGTERM handlers on every start(), and they exit the process at
 * once: the CLI's clean stop (abort the wait, one line on stderr, exit 130) would never run. Start it,
 * then take those handlers away again.
 */
function startWithoutSignalHandlers(start: () => void): void {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  start();
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
}

function elapsed(since: number): string {
  const s = Math.floor((Date.now() - since) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Status while waiting, on stderr: a spinner with the elapsed time and each status change on a terminal;
 * one plain line per status change otherwise (logs, CI).
 */
export function progress(stream: NodeJS.WriteStream, style: Style, label: string): Progress {
  const started = Date.now();
  let last: string | undefined;
  if (!stream.isTTY) {
    return {
      update(reported) {
        // The status is the server's text: one line, nothing a terminal acts on, never a screenful.
        const status = fitCell(reported).text;
        if (status === last) return;
        last = status;
        stream.write(`[${elapsed(started)}] ${label}: ${status}\n`);
      },
      stop() {},
    };
  }
  const spinner = yoctoSpinner({ stream, text: `${label}: waiting for the first answer` });
  startWithoutSignalHandlers(() => spinner.start());
  const render = () => {
    spinner.text = `${label}: ${style.bold(last ?? '…')} ${style.dim(elapsed(started))}`;
  };
  const ticker = setInterval(render, 1000);
  ticker.unref();
  return {
    update(reported) {
      const status = fitCell(reported).text;
      if (last !== undefined && status !== last) {
        spinner.info(`${label}: ${last} → ${status} ${style.dim(elapsed(started))}`);
        startWithoutSignalHandlers(() => spinner.start());
      }
      last = status;
      render();
    },
    stop() {
      clearInterval(ticker);
      spinner.stop();
    },
  };
}
