/**
 * Runs the fake IDP in a process of its own, so that its work and memory are not counted against the
 * side a bench measures. Started by `startFakeIdpProcess(config)`: imports the module named in argv[2]
 * (its default export is the options, or a function returning them), prints the port, and answers its
 * counters at `/_fake/stats`. It exits when its parent goes.
 */
import { pathToFileURL } from 'node:url';
import { fakeIdp } from './fake-idp.js';
import type { FakeIdpOptions } from './fake-idp-options.js';

const config = process.argv[2];
if (!config) {
  process.stderr.write('fake-idp-process: give the options module to load (its default export)\n');
  process.exit(2);
}
const loaded = (await import(config.startsWith('file:') ? config : pathToFileURL(config).href)) as {
  default: FakeIdpOptions | (() => FakeIdpOptions | Promise<FakeIdpOptions>);
};
const options = typeof loaded.default === 'function' ? await loaded.default() : loaded.default;
const idp = await fakeIdp({ record: false, ...options, control: true });
process.stdout.write(`${new URL(idp.baseUrl).port}\n`);
process.on('disconnect', () => {
  void idp.close().then(() => process.exit(0));
});
