/**
 * The loopback server, run in its own process so its work does not count against the measured side:
 * keep-alive, canned bodies, a token endpoint that counts its requests (GET /stats reads the counts).
 */
import { createServer } from 'node:http';
import { IDS, largeBody, smallBody } from './bodies.js';

const bodies = new Map<string, Buffer>([
  [IDS.small, Buffer.from(smallBody())],
  [IDS.large, Buffer.from(largeBody())],
]);
let tokenRequests = 0;
let runtimeRequests = 0;

const server = createServer((req, res) => {
  const url = req.url ?? '';
  if (url.startsWith('/accounts/api/v2/oauth2/token')) {
    tokenRequests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({ access_token: `tok-${tokenRequests}`, token_type: 'bearer', expires_in: 3600 }),
      );
    });
    return;
  }
  if (url === '/stats') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ tokenRequests, runtimeRequests }));
    return;
  }
  if (url === '/reset') {
    tokenRequests = 0;
    runtimeRequests = 0;
    res.end();
    return;
  }
  runtimeRequests++;
  const id = /\/executions\/([0-9a-f-]{36})/.exec(url)?.[1] ?? '';
  const body = bodies.get(id);
  if (!body) {
    res.writeHead(404, { 'Content-Type': 'application/problem+json' });
    res.end('{"status":404,"title":"Not Found"}');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${address.port}\n`);
});
process.on('disconnect', () => process.exit(0));
