import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  AuthError,
  createIdpClient,
  type Execution,
  type ExecutionRef,
  type IdpClient,
  IdpError,
  IdpTimeoutError,
  IdpValidationError,
  type Logger,
  redactSecret,
} from '@idp-kit/client';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  type Connection,
  type ConnectionFlags,
  type ExecutionFlags,
  loadEnv,
  parseDuration,
  resolveConnection,
  resolveExecution,
  UsageError,
} from './config.js';
import { EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
import { formatCsv, formatTable } from './format.js';
import { invocation } from './invocation.js';
import { progress } from './progress.js';
import { type Style, styleFor } from './style.js';
import { VERSION } from './version.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

interface OutputFlags {
  json?: boolean;
  csv?: boolean;
  confidence?: boolean;
  minConfidence: number;
  verbose?: boolean;
}

interface WaitFlags {
  timeout?: string;
  until: 'settled' | 'final';
  interval?: string;
}

const EXAMPLE_URL =
  'https://idp-rt.us-east-1.anypoint.mulesoft.com/api/v1/organizations/01f79c97-9a83-4194-b922-15b64fd7305e/actions/90c3e286-72b5-42ca-92d0-22f86ea8d766/versions/1.1.0/executions/022c61de-9bfc-4a94-8a9c-43c5f8ac153e';

const SETTINGS_HELP = `Settings (flags win over the environment, which wins over a .env file in this folder):
  IDP_CLIENT_ID      client id of the Anypoint connected app   (--client-id)
  IDP_CLIENT_SECRET  its client secret: environment or .env only, never a flag
  IDP_ORG_ID         business group that owns the action        (--org)
  IDP_REGION         us-east-1 (default) or eu-central-1        (--region)
  IDP_BASE_URL       another runtime URL, e.g. the mock          (--base-url)
  IDP_TOKEN_URL      another token URL, e.g. the mock            (--token-url)`;

function percent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 100)
    throw new InvalidArgumentError('expected a number from 0 to 100');
  return n;
}

function connectionOptions(command: Command): Command {
  return command
    .option('--org <id>', 'organization (business group) id [IDP_ORG_ID]')
    .addOption(
      new Option('--region <region>', 'IDP region [IDP_REGION]').choices(['us-east-1', 'eu-central-1']),
    )
    .option('--base-url <url>', 'runtime base URL, e.g. the mock [IDP_BASE_URL]')
    .option('--token-url <url>', 'token URL, e.g. the mock [IDP_TOKEN_URL]')
    .option('--client-id <id>', 'connected app client id [IDP_CLIENT_ID]')
    .option('--verbose', 'log each HTTP attempt and error details to stderr');
}

function executionOptions(command: Command): Command {
  return command
    .argument('[execution-url]', 'the execution URL, as shown in Anypoint or logged by a flow')
    .option('--action <id>', 'document action id (instead of a URL)')
    .option('--version <semver>', 'published action version, e.g. 1.1.0 (instead of a URL)')
    .option('--execution <id>', 'execution id (instead of a URL)');
}

function outputOptions(command: Command): Command {
  return command
    .option('--confidence', 'ask for confidence scores and geometry (valueOnly=false)')
    .option('--min-confidence <percent>', 'mark values below this confidence', percent, 80)
    .addOption(new Option('--json', 'print the response body as JSON').conflicts('csv'))
    .option('--csv', 'print the flat field list as CSV');
}

function waitOptions(command: Command): Command {
  return command
    .option('--timeout <duration>', 'give up after this long (30s, 10m, 1h); exit code 6', '10m')
    .addOption(
      new Option(
        '--until <when>',
        'settled: stop at MANUAL_VALIDATION_REQUIRED too; final: wait for the reviewer',
      )
        .choices(['settled', 'final'])
        .default('settled'),
    )
    .option('--interval <duration>', 'first poll interval (at least 10s against MuleSoft hosts)', '10s');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const style = styleFor(io.stdout, io.env);
  const errStyle = styleFor(io.stderr, io.env);
  let secret: string | undefined;
  // A last guard: whatever is printed, the client secret never is.
  const redact = (text: string) => redactSecret(text, secret);
  const say = (text: string) => io.stdout.write(`${redact(text)}\n`);
  const warn = (text: string) => io.stderr.write(`${redact(text)}\n`);
  let verbose = false;
  let exitCode: number = EXIT.SUCCEEDED;
  /** `idp`, or `pnpm idp` inside the repository: every command we print must work as pasted. */
  const cmd = invocation(io.env);

  const program = new Command('idp')
    .description('Retrieve, wait for and submit MuleSoft IDP document-action executions.')
    .version(VERSION, '-V, --version', 'print the idp-kit version')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(errStyle.bad(text)),
    })
    .addHelpText(
      'after',
      `\n${SETTINGS_HELP}\n\n${EXIT_CODES_HELP}\n\nStart with: ${cmd} mock   (no credentials needed)`,
    );

  function client(connection: Connection): IdpClient {
    secret = connection.clientSecret;
    const logger: Logger | undefined = verbose
      ? { debug: (m) => warn(errStyle.dim(m)), warn: (m) => warn(errStyle.warn(m)) }
      : { warn: (m) => warn(errStyle.warn(m)) };
    return createIdpClient({
      organizationId: connection.organizationId,
      ...(connection.region ? { region: connection.region } : {}),
      ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
      auth: {
        clientId: connection.clientId,
        clientSecret: connection.clientSecret,
        ...(connection.tokenUrl ? { tokenUrl: connection.tokenUrl } : {}),
      },
      userAgent: `idp-kit-cli/${VERSION}`,
      logger,
    });
  }

  function print(execution: Execution<boolean>, flags: OutputFlags): void {
    if (flags.json) say(JSON.stringify(execution, null, 2));
    else if (flags.csv) say(formatCsv(execution));
    else say(formatTable(execution, style, flags.minConfidence));
  }

  /** The wait's timings, parsed up front: a bad --timeout must fail before a document is uploaded. */
  function waitTimings(flags: WaitFlags) {
    return {
      timeoutMs: parseDuration(flags.timeout ?? '10m', '--timeout'),
      pollIntervalMs: parseDuration(flags.interval ?? '10s', '--interval'),
    };
  }

  async function wait(
    idp: IdpClient,
    ref: ExecutionRef,
    flags: OutputFlags & WaitFlags,
    timings: ReturnType<typeof waitTimings>,
  ): Promise<Execution<boolean>> {
    const status = progress(io.stderr, errStyle, `execution ${ref.executionId.slice(0, 8)}`);
    try {
      return await idp.waitForExecution(ref, {
        valueOnly: !flags.confidence,
        until: flags.until,
        ...timings,
        onProgress: (e) => status.update(e.status),
        ...(io.signal ? { signal: io.signal } : {}),
      });
    } finally {
      status.stop();
    }
  }

  /** Settings from flags, environment and .env, then the client. */
  function connect(
    flags: ConnectionFlags & OutputFlags,
    fromUrl?: { organizationId: string; baseUrl: string },
  ) {
    verbose = flags.verbose === true;
    return client(resolveConnection(flags, loadEnv(io.env, io.cwd), fromUrl));
  }

  function setup(flags: ConnectionFlags & OutputFlags, url: string | undefined, named: ExecutionFlags) {
    const { ref, fromUrl } = resolveExecution(url, named);
    return { ref, idp: connect(flags, fromUrl) };
  }

  outputOptions(executionOptions(connectionOptions(program.command('get'))))
    .description('Retrieve an execution once and print its status and results.')
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} get '${EXAMPLE_URL}'\n  ${cmd} get --action 90c3e286-72b5-42ca-92d0-22f86ea8d766 --version 1.1.0 --execution 022c61de-9bfc-4a94-8a9c-43c5f8ac153e --json\n  ${cmd} get '<url>' --confidence --min-confidence 90\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (url: string | undefined, flags: ConnectionFlags & ExecutionFlags & OutputFlags) => {
      const { ref, idp } = setup(flags, url, flags);
      const execution = await idp.getExecution(ref, {
        valueOnly: !flags.confidence,
        ...(io.signal ? { signal: io.signal } : {}),
      });
      print(execution, flags);
      exitCode = exitCodeFor(execution);
    });

  waitOptions(outputOptions(executionOptions(connectionOptions(program.command('wait')))))
    .description(
      'Poll an execution until it settles (or is final), showing its status, then print the results.',
    )
    .addHelpText(
      'after',
      `\nExamples:\n  ${cmd} wait '${EXAMPLE_URL}' --timeout 15m\n  ${cmd} wait '<url>' --until final --csv > fields.csv\n\n${EXIT_CODES_HELP}`,
    )
    .action(
      async (url: string | undefined, flags: ConnectionFlags & ExecutionFlags & OutputFlags & WaitFlags) => {
        const timings = waitTimings(flags);
        const { ref, idp } = setup(flags, url, flags);
        const execution = await wait(idp, ref, flags, timings);
        print(execution, flags);
        exitCode = exitCodeFor(execution);
      },
    );

  waitOptions(outputOptions(connectionOptions(program.command('submit'))))
    .description('Submit a document (PDF, PNG, JPG, TIFF; at most 15 MB) to a published document action.')
    .argument('<file>', 'the document to submit')
    .requiredOption('--action <id>', 'document action id')
    .requiredOption('--version <semver>', 'published action version, e.g. 1.1.0')
    .option('--callback <url>', 'https URL that IDP calls (PATCH) when the execution settles')
    .option('--salesforce-org <id>', 'Salesforce org that runs the action (x-sfdc-core-tenant-id)')
    .option('--wait', 'then wait for the result, as `idp wait` does')
    .addHelpText(
      'after',
      `\nA submit is never retried once the document may have reached the service: each page costs credits.\n\nExamples:\n  ${cmd} submit invoice.pdf --action 90c3e286-72b5-42ca-92d0-22f86ea8d766 --version 1.1.0\n  ${cmd} submit scan.tiff --action <id> --version 1.1.0 --wait --timeout 20m --json\n\n${EXIT_CODES_HELP}`,
    )
    .action(
      async (
        file: string,
        flags: ConnectionFlags &
          OutputFlags &
          WaitFlags & {
            action: string;
            version: string;
            callback?: string;
            salesforceOrg?: string;
            wait?: boolean;
          },
      ) => {
        const timings = flags.wait ? waitTimings(flags) : undefined;
        const idp = connect(flags);
        let bytes: Uint8Array;
        try {
          bytes = await readFile(file);
        } catch (error) {
          throw new UsageError(
            `cannot read ${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          );
        }
        const submitted = await idp.submitExecution({
          actionId: flags.action,
          actionVersion: flags.version,
          file: bytes,
          fileName: basename(file),
          ...(flags.callback ? { callbackUrl: flags.callback } : {}),
          ...(flags.salesforceOrg ? { salesforceOrgId: flags.salesforceOrg } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        const ref = {
          actionId: flags.action,
          actionVersion: flags.version,
          executionId: submitted.executionId,
        };
        if (!flags.wait) {
          if (flags.json) say(JSON.stringify(submitted, null, 2));
          else {
            say(
              `Submitted ${submitted.documentName}: execution ${submitted.executionId}${submitted.status ? ` (${submitted.status})` : ''}`,
            );
            say(
              style.dim(
                `Next: ${cmd} wait --action ${ref.actionId} --version ${ref.actionVersion} --execution ${ref.executionId}`,
              ),
            );
          }
          return;
        }
        warn(errStyle.dim(`Submitted ${submitted.documentName}: execution ${submitted.executionId}`));
        const execution = await wait(idp, ref, flags, timings ?? waitTimings(flags));
        print(execution, flags);
        exitCode = exitCodeFor(execution);
      },
    );

  program
    .command('mock')
    .description('Run the bundled IDP mock (Prism) and print the settings that point idp at it.')
    .option('--port <port>', 'port to listen on', '4010')
    .action(async (flags: { port: string }) => {
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be 0-65535, got ${flags.port}`);
      const {
        startMock,
        EXAMPLE_EXECUTION: ids,
        MOCK_EXECUTIONS,
      } = await import('@idp-kit/mock').catch(() => {
        throw new Error(
          'idp mock needs the @idp-kit/mock package (it brings Prism): npm install -g @idp-kit/mock',
        );
      });
      const mock = await startMock({ port });
      say(`IDP mock running at ${mock.baseUrl} (Ctrl-C to stop). In another terminal:

export IDP_BASE_URL=${mock.baseUrl}
export IDP_TOKEN_URL=${mock.tokenUrl}
export IDP_ORG_ID=${ids.organizationId}
export IDP_CLIENT_ID=mock-client
export IDP_CLIENT_SECRET=mock-secret

${cmd} get --action ${ids.actionId} --version ${ids.actionVersion} --execution ${ids.executionId}

Each of these execution ids shows one status, lifecycle or error (any other id: SUCCEEDED):
${Object.entries(MOCK_EXECUTIONS)
  .map(([name, id]) => `  ${name.padEnd(28)} ${id}`)
  .join('\n')}
For example, ${cmd} wait … --execution ${MOCK_EXECUTIONS.lifecycle} shows ~20 s of progress.`);
      await new Promise<void>((resolve) => {
        if (io.signal?.aborted) resolve();
        io.signal?.addEventListener('abort', () => resolve(), { once: true });
      });
      await mock.stop();
      say('mock stopped');
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error);
  }

  function report(error: unknown): number {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.SUCCEEDED : EXIT.USAGE;
    }
    if (io.signal?.aborted && error === io.signal.reason) {
      warn('idp: interrupted (Ctrl-C); nothing was cancelled at IDP');
      return EXIT.INTERRUPTED;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code =
      error instanceof UsageError || error instanceof IdpValidationError
        ? EXIT.USAGE
        : error instanceof IdpTimeoutError
          ? EXIT.TIMED_OUT
          : EXIT.ERROR;
    warn(errStyle.bad(`idp: ${message}`));
    const expected = error instanceof UsageError || error instanceof IdpError || error instanceof AuthError;
    if (verbose) {
      for (let cause = (error as Error | undefined)?.cause; cause; cause = (cause as Error).cause) {
        warn(
          errStyle.dim(
            `  caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
          ),
        );
      }
      if (!expected && error instanceof Error && error.stack) warn(errStyle.dim(error.stack));
    } else if (!expected) {
      warn(errStyle.dim('  (run with --verbose for details)'));
    }
    return code;
  }
}

export type { Style };
