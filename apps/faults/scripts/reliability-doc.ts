/**
 * Writes docs/reliability.md from a run of this suite: every case, what it expects, the file that
 * proves it, and the counts. `pnpm --filter @idp-kit/faults doc` (runs the suite first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Assertion {
  title: string;
  ancestorTitles: string[];
  status: string;
}
interface FileResult {
  name: string;
  assertionResults: Assertion[];
}

const here = fileURLToPath(new URL('..', import.meta.url));
const out = `${here}results.json`;
try {
  execFileSync(`${here}node_modules/.bin/vitest`, ['run', '--reporter=json', `--outputFile=${out}`], {
    cwd: here,
    stdio: 'inherit',
  });
} catch {
  // failures are counted below
}
const results = JSON.parse(readFileSync(out, 'utf8')) as {
  testResults: FileResult[];
  numTotalTests: number;
  numFailedTests: number;
};

const PROPERTY_RUNS: Record<string, number> = {
  '10000 runs': 10_000,
  'forged nonces (2,000 generated)': 2_000,
};
let runs = 0;
const sections: string[] = [];
for (const file of results.testResults.sort((a, b) => a.name.localeCompare(b.name))) {
  const short = `apps/faults/test/${file.name.split('/').pop()}`;
  const groups = new Map<string, Assertion[]>();
  for (const a of file.assertionResults) {
    const group = a.ancestorTitles.join(' › ');
    groups.set(group, [...(groups.get(group) ?? []), a]);
  }
  for (const [group, cases] of groups) {
    sections.push(`\n### ${group}\n\n| case | expected | result |\n|---|---|---|`);
    for (const a of cases) {
      const extra = Object.entries(PROPERTY_RUNS).find(([key]) => a.title.includes(key))?.[1] ?? 1;
      runs += extra;
      const split = a.title.indexOf(': ');
      const [what, expected] =
        split > 0 ? [a.title.slice(0, split), a.title.slice(split + 2)] : [a.title, '(as titled)'];
      sections.push(
        `| ${what.replace(/\|/g, '\\|')} | ${expected.replace(/\|/g, '\\|')} | ${a.status === 'passed' ? 'pass' : a.status} (\`${short}\`) |`,
      );
    }
  }
}

const doc = `# Reliability: faults, hostile input, load, security

Every row is a test in \`apps/faults\` (\`pnpm test:faults\`, also part of \`pnpm test\`), run against real
sockets on 127.0.0.1: a node:http fake of IDP (\`@idp-kit/testkit\`), a raw TCP server for the faults HTTP
cannot express (resets, stalls, silence), the built \`idp\` binary for the CLI rows. Each fault test also
checks that the call left no timer behind and, where a secret is in play, that neither the client secret
nor a token appears in the message, \`String()\`, \`util.inspect\` (hidden fields and causes) or JSON of
what was thrown (\`assertNoSecrets\` in \`test/helpers.ts\`). Unhandled rejections fail the run.

The table is generated from the last run by \`pnpm --filter @idp-kit/faults doc\`; a test fails when a case
of the suite is missing from it.

**Last run:** ${new Date().toISOString().slice(0, 10)} — ${results.numTotalTests} cases, ${runs.toLocaleString('en')} runs (property tests count
each generated input), ${results.numFailedTests} failures.

Behaviour it pins down, in short: GET is retried on network errors, resets, per-attempt timeouts (the
body read included), 408/429/5xx, with \`Retry-After\` honoured and capped (\`maxDelayMs\`); a submit is
never retried once the document may have reached the server, and its error says so; a permanent error
ends a wait at once; the token is fetched once per process and re-fetched once after a revocation; bad
ids never leave their path segment; the callback receiver trusts nothing in a callback.

Security checks outside the table: Biome's \`noGlobalEval\` rule runs in \`pnpm test\`. \`pnpm audit --prod\`
could not be answered here: the registry these machines reach returns HTTP 405 for the audit endpoint
(tried 2026-11-28); run it where the public registry is reachable.
${sections.join('\n')}
`;
const target = fileURLToPath(new URL('../../../docs/reliability.md', import.meta.url));
// Sections written by hand (classes tested outside this suite) follow a marker, and are kept.
const MARKER = '<!-- hand-written sections below: kept when this file is generated -->';
const previous = existsSync(target) ? readFileSync(target, 'utf8') : '';
const kept = previous.includes(MARKER) ? `\n${previous.slice(previous.indexOf(MARKER))}` : '';
writeFileSync(target, `${doc}${kept}`);
console.log(
  `docs/reliability.md: ${results.numTotalTests} cases, ${runs} runs, ${results.numFailedTests} failures`,
);
