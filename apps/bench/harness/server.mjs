// A minimal keep-alive server for harness.mjs, in its own process: one ~2 KB execution body for every GET.
import { createServer } from 'node:http';

const body = Buffer.from(
  JSON.stringify({
    id: '022c61de-9bfc-4a94-8a9c-43c5f8ac153e',
    documentName: 'invoice-2291.pdf',
    status: 'SUCCEEDED',
    pages: [
      {
        page: 1,
        fields: Object.fromEntries(
          Array.from({ length: 30 }, (_, i) => [`field_${i}`, { value: `v${i}-${'x'.repeat(i)}` }]),
        ),
      },
    ],
  }),
);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port} ${body.length}\n`));
process.on('disconnect', () => process.exit(0));
