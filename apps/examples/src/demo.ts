/** `pnpm demo`: start the bundled mock, retrieve the brief's execution through it, stop the mock. */
import { clientCredentials } from '@idp-kit/auth';
import { createIdpClient } from '@idp-kit/client';
import { startMock } from '@idp-kit/mock';
import { formatExecution } from './print.js';
import { EXAMPLE_EXECUTION } from './settings.js';

const mock = await startMock();
console.log(`Started the IDP mock (Prism) at ${mock.baseUrl}\n`);
try {
  const { organizationId, ...ref } = EXAMPLE_EXECUTION;
  const idp = createIdpClient({
    organizationId,
    baseUrl: mock.baseUrl,
    auth: clientCredentials({
      clientId: 'demo-client-id',
      clientSecret: 'demo-client-secret',
      tokenUrl: mock.tokenUrl,
    }),
  });
  const execution = await idp.getExecution(ref, { valueOnly: true });
  console.log(formatExecution(execution));
} finally {
  await mock.stop();
}
console.log('\nMock stopped. Next: `pnpm test`, or `pnpm mock` to keep a mock running.');
