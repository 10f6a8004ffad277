#!/usr/bin/env node
// `redocly lint …` without Redocly's Node 20 end-of-life box (10 lines on every run of `pnpm test`).
// Redocly 2.77 prints it whenever Node's major version is 20, with no flag or variable to turn it off
// (see the `major(version) === 20` check at the top of @redocly/cli/lib/index.js). It is written as one
// chunk to stderr while the CLI loads, so exactly that chunk is dropped; everything else, the lint's
// findings and its exit code included, passes through. Drop this wrapper once the suite runs on Node 22+.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const NOTICE = /Node\.js 20 support is ending/;
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => (NOTICE.test(String(chunk)) ? true : write(chunk, ...rest));

const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
process.env.REDOCLY_TELEMETRY ??= 'off';
process.argv = [process.argv[0], cli, 'lint', ...process.argv.slice(2)];
await import(pathToFileURL(cli).href);
