import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT, EXIT_CODES_HELP } from '../src/exit-codes.js';
import { main } from '../src/program.js';

/**
 * The package README is the CLI's reference: every command, every flag and every exit code. These tests
 * hold it to the code, so that a new command, flag or exit code cannot land undocumented.
 */
let readme: string;
beforeAll(async () => {
  readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
});

/** `idp …args` in this process, as a user outside the repository runs it; resolves with its stdout. */
async function idp(args: string[]): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  const io = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: new PassThrough() as unknown as NodeJS.WriteStream,
    env: { NO_COLOR: '1' },
    cwd: tmpdir(),
  };
  expect(await main(args, io)).toBe(0);
  return text;
}

/** The text of a README section, from its heading to the next heading of the same or a higher level. */
function section(heading: RegExp): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  expect(start, `a heading ${heading} in packages/cli/README.md`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 2;
  const end = lines.findIndex(
    (l, i) => i > start && /^#+ /.test(l) && (/^#+/.exec(l)?.[0].length ?? 0) <= level,
  );
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The names under "Commands:" in a help text, without commander's own `help`. */
function commandsIn(help: string): string[] {
  const block = /\nCommands:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? '';
  return [...block.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1] ?? '').filter((name) => name !== 'help');
}

/** Every command path `idp` has: `get`, `review show`, `batch run`, … */
async function commandPaths(): Promise<string[]> {
  const paths: string[] = [];
  for (const name of commandsIn(await idp(['--help']))) {
    const help = await idp([name, '--help']);
    const subcommands = commandsIn(help);
    // A command with arguments of its own runs by itself too (`eval <results>` beside `eval harvest`).
    if (subcommands.length === 0 || /\nArguments:\n/.test(help)) paths.push(name);
    paths.push(...subcommands.map((sub) => `${name} ${sub}`));
  }
  return paths;
}

/** The README's heading for a command path: `### \`idp review [show] …\`` documents `review show`. */
function headingFor(path: string): RegExp {
  const words = path.split(' ').map((w) => `(?:${w}|\\[${w}\\])`);
  return new RegExp(`^### \`idp ${words.join(' ')}(?: |\`)`);
}

describe('packages/cli/README.md', () => {
  it('documents every command, each under a heading of its own, and no command that does not exist', async () => {
    const paths = await commandPaths();
    expect(paths).toEqual(expect.arrayContaining(['get', 'review approve', 'batch status', 'mock']));
    for (const path of paths) section(headingFor(path));
    const headings = readme.split('\n').filter((l) => l.startsWith('### `idp '));
    expect(headings).toHaveLength(paths.length);
  });

  it('documents every flag of every command, in its section or among the settings every command shares', async () => {
    const shared = section(/^## Settings/);
    const undocumented: string[] = [];
    for (const path of await commandPaths()) {
      const help = await idp([...path.split(' '), '--help']);
      const options = /\nOptions:\n([\s\S]*?)(?:\n\n|$)/.exec(help)?.[1] ?? '';
      const flags = [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1] ?? '');
      const own = section(headingFor(path));
      for (const flag of flags) {
        if (flag === '--help') continue;
        if (!own.includes(`\`${flag}`) && !shared.includes(`\`${flag}`)) undocumented.push(`${path} ${flag}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('has every exit code the CLI uses, and no other, as `idp --help` lists them', () => {
    const table = section(/^## Exit codes/);
    const documented = [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
    const used = Object.values(EXIT).sort((a, b) => a - b);
    expect(documented).toEqual(used);
    const inHelp = [...EXIT_CODES_HELP.matchAll(/^ *(\d+) {2}/gm)].map((m) => Number(m[1]));
    expect(inHelp).toEqual(used);
  });

  it('shows `idp --help` exactly as idp prints it (80 columns, installed)', async () => {
    const shown = /```text\n\$ idp --help\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBe(await idp(['--help']));
  });

  it('states the Node lines the package is tested on, as engines names them', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string };
    };
    // "^20.12.0 || ^22.0.0 || …" → "20.12+, 22, 24 or 26"
    const lines = manifest.engines.node.split('||').map((r) => /\^(\d+)\.(\d+)/.exec(r.trim()));
    const named = lines.map((m, i) => (i === 0 && m?.[2] !== '0' ? `${m?.[1]}.${m?.[2]}+` : `${m?.[1]}`));
    expect(named.length).toBeGreaterThan(1);
    expect(readme).toContain(`Node ${named.slice(0, -1).join(', ')} or ${named.at(-1)}`);
  });
});
