import type { ServerResponse } from 'node:http';
import type { FakeFault } from './fake-idp-options.js';
import { json } from './loopback.js';

/** Answers `res` as `fault` says (or does not answer it at all, for `stall` and `cut`). */
export async function answerFault(res: ServerResponse, fault: FakeFault): Promise<void> {
  switch (fault.type) {
    case 'rate-limit': {
      const headers: Record<string, string> =
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      return json(res, 429, { status: 429, title: 'Too Many Requests' }, headers);
    }
    case 'server-error': {
      const status = fault.status ?? 503;
      return json(res, status, { status, title: status === 503 ? 'Service Unavailable' : 'Server Error' });
    }
    case 'unreadable':
      res.writeHead(fault.status ?? 200, { 'content-type': fault.contentType ?? 'text/html' });
      res.end(fault.body ?? '<html><body>Gateway says hello</body></html>');
      return;
    case 'not-found':
      return json(res, 404, { status: 404, title: 'Not Found' });
    case 'stall':
      // Held until the client gives up or the fake closes: what a hung upstream looks like.
      await new Promise<void>((resolve) => res.once('close', resolve));
      return;
    case 'cut':
      res.socket?.destroy();
      return;
  }
}
