import { serveStdio } from '@idp-kit/mcp';
import type { Command } from 'commander';
import type { ConnectionFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions } from '../flags.js';
import { settingSources } from '../setting-sources.js';
import { VERSION } from '../version.js';

interface Flags extends ConnectionFlags {
  allowWrites?: boolean;
  verbose?: boolean;
}

/** `idp mcp`: the IDP tools for AI agents, over stdio, with the CLI's settings. */
export function mcpCommand(program: Command, ctx: CliContext): void {
  connectionOptions(program.command('mcp'))
    .description("Serve IDP to AI agents as MCP tools over stdio (started by the agent's MCP client).")
    .option('--allow-writes', 'also offer submit_document (costs credits), update_review and approve_review')
    .addHelpText(
      'after',
      '\nSettings come from the environment and .env as for every command. Logs go to stderr; stdout is the\nMCP channel. See the README for a client configuration.',
    )
    .action(async (flags: Flags) => {
      const client = ctx.connect(flags);
      const server = await serveStdio({
        client,
        // The diagnose tool checks these settings as `idp doctor` does: the token alone and the spec too.
        diagnose: {
          client: () => ctx.clientOptions(flags),
          settings: settingSources(ctx, flags as Record<string, unknown>),
        },
        allowWrites: flags.allowWrites === true,
        redact: (text) => ctx.redact(text),
        cwd: ctx.io.cwd,
        version: VERSION,
      });
      // Serve until the client closes stdin (or Ctrl-C).
      await Promise.race([
        new Promise((resolve) => {
          process.stdin.once('end', resolve);
          process.stdin.once('close', resolve);
        }),
        ctx.untilInterrupted(),
      ]);
      await server.close();
    });
}
