import { type Action, type ActionVersion, runtimeBaseUrl } from '@idp-kit/client';
import type { Command } from 'commander';
import { cellFitter, cutNote } from '../cell.js';
import type { ConnectionFlags } from '../config.js';
import type { CliContext } from '../context.js';
import { connectionOptions, formatOptions } from '../flags.js';
import { columns, toCsv } from '../format.js';

interface Flags extends ConnectionFlags {
  json?: boolean;
  csv?: boolean;
  verbose?: boolean;
}

interface Listed {
  action: Action;
  versions: { version: string; status?: string; runtimeBaseUrl?: string }[];
}

function versionsOf(versions: ActionVersion[]): Listed['versions'] {
  return versions.map((v) => {
    const url = runtimeBaseUrl(v);
    return {
      version: v.version,
      ...(v.status ? { status: v.status } : {}),
      ...(url ? { runtimeBaseUrl: url } : {}),
    };
  });
}

/** `idp actions`: every action of the organization, its versions and where each is published. */
export function actionsCommand(program: Command, ctx: CliContext): void {
  const { cmd } = ctx;
  formatOptions(connectionOptions(program.command('actions')))
    .description('List the document actions, their versions and the runtime each version is published to.')
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} actions\n  ${cmd} actions --json\n  ${cmd} action <action-id> --version 1.1.0   what one version extracts`,
    )
    .action(async (flags: Flags) => {
      const idp = ctx.connect(flags);
      const listed: Listed[] = [];
      for await (const action of idp.actions({ sort: 'name,asc', ...ctx.signalOption })) {
        const versions: ActionVersion[] = [];
        for await (const v of idp.actionVersions(action.id, ctx.signalOption)) versions.push(v);
        listed.push({ action, versions: versionsOf(versions) });
      }
      if (flags.json) return ctx.json(listed, 2);
      if (flags.csv) {
        return ctx.data(
          toCsv(
            ['action_id', 'name', 'type', 'version', 'status', 'runtime_base_url'],
            listed.flatMap(({ action, versions }) =>
              (versions.length > 0 ? versions : [undefined]).map((v) => [
                action.id,
                action.name,
                action.type,
                v?.version,
                v?.status,
                v?.runtimeBaseUrl,
              ]),
            ),
          ),
        );
      }
      if (listed.length === 0) return ctx.say(ctx.style.dim('(no document actions in this organization)'));
      const { style } = ctx;
      const cell = cellFitter();
      const out: string[] = [];
      for (const { action, versions } of listed) {
        out.push(
          `${style.bold(cell(action.name))}  ${style.dim(cell(action.id))}${action.type ? `  ${cell(action.type)}` : ''}`,
        );
        out.push(
          ...(versions.length === 0
            ? [`  ${style.dim('(no versions)')}`]
            : columns(
                versions.map((v) => [
                  cell(v.version),
                  cell(v.status ?? ''),
                  v.runtimeBaseUrl ? cell(v.runtimeBaseUrl) : style.dim('(not published to a runtime)'),
                ]),
              )),
        );
      }
      if (cell.cut > 0) out.push('', style.dim(cutNote(cell.cut)));
      ctx.say(out.join('\n'));
    });
}
