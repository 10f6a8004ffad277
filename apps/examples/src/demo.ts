/** `pnpm demo`: start the bundled mock, retrieve the brief's execution through it, stop the mock. */
import { startMock } from '@idp-kit/mock';
import { retrieve } from './retrieve.js';

const mock = await startMock();
console.log(`Started the IDP mock (Prism) at ${mock.baseUrl}\n`);
try {
  await retrieve({
    baseUrl: mock.baseUrl,
    tokenUrl: mock.tokenUrl,
    clientId: 'demo-client-id',
    clientSecret: 'demo-client-secret',
  });
} finally {
  await mock.stop();
}
console.log('\nMock stopped. Next: `pnpm test`, or `pnpm mock` to keep a mock running.');
