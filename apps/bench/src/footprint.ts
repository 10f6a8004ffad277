/**
 * Section 5: what @idp-kit/client costs to ship and to load. Bundle size of the runtime it pulls in
 * (client + auth + openapi-fetch), minified and gzipped with esbuild; cold import time against
 * openapi-fetch alone, each in fresh processes.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { median, spread } from './load.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('..', import.meta.url));

/**
 * The min+gz budget for what `@idp-kit/client` pulls in (client + auth + openapi-fetch). 12 kB until the
 * one-pipeline change (issue 12): hooks, the error classes by meaning, the call deadline, the
 * trusted-origin check and the token request on the pipeline took it to 13.45 kB. The review and
 * discovery operations (issue 13: ten operations, their checks and advice, the confidence normalizer,
 * base64 submit) took it to 16.18 kB. The pre-flight checks every submit runs (issue 24: format from the
 * bytes, the PDF page tree, TIFF directories, encryption) took it to 18.13 kB. The hostile-input
 * defences (issue 29: the redactor that knows every secret and token in their encoded spellings, the
 * redirect rule, the body cap, the JSON depth guard, the page-loop guards) took it to 21.67 kB. The base
 * made one of each (issue 22: the IDP_* settings table and its reading, the URL-or-ids rule, the token
 * URL and trusted origins exposed, operation ids in log lines, the abort-linking helper,
 * clientCredentials on the pipeline) took it to 23.01 kB. The pipeline in named stages (issue 22 item 2:
 * hooks that see each answer and may ask for its body, the attempt timeout through fetch's dispatcher
 * instead of a signal per attempt, the token answer blanked for hooks) took it to 24.16 kB. The fleet's
 * rate budget (issue 27: the `admit` gate before every attempt) and the result-bytes gate (issue 23: each
 * answer's size told to the waiting poll) took it to 24.62 kB, with the per-call work trimmed beside them
 * (one object per attempt, no spreads). The budget catches growth nobody chose;
 * apps/bench/README.md has the breakdown.
 */
export const FOOTPRINT_BUDGET_BYTES = 24_750;

export interface Footprint {
  clientMinGzBytes: number;
  clientMinBytes: number;
  openapiFetchMinGzBytes: number;
  importMs: {
    client: number;
    openapiFetch: number;
    ratio: number;
    clientSpread: { min: number; max: number };
  };
}

async function minGz(entry: string): Promise<{ min: number; gz: number }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { min: code.byteLength, gz: gzipSync(code, { level: 9 }).byteLength };
}

async function importTime(specifier: string, runs: number): Promise<number[]> {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: here });
    times.push(Number(stdout.trim()));
  }
  return times;
}

export async function footprint(runs = 15): Promise<Footprint> {
  const client = await minGz(fileURLToPath(import.meta.resolve('@idp-kit/client')));
  const bare = await minGz(fileURLToPath(import.meta.resolve('openapi-fetch')));
  const clientTimes: number[] = [];
  const bareTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    // alternate, one process each
    clientTimes.push(...(await importTime('@idp-kit/client', 1)));
    bareTimes.push(...(await importTime('openapi-fetch', 1)));
  }
  return {
    clientMinGzBytes: client.gz,
    clientMinBytes: client.min,
    openapiFetchMinGzBytes: bare.gz,
    importMs: {
      client: median(clientTimes),
      openapiFetch: median(bareTimes),
      ratio: median(clientTimes) / median(bareTimes),
      clientSpread: spread(clientTimes),
    },
  };
}
