import {
  type Admit,
  createIdpClient,
  createRedactor,
  type Execution,
  type ExecutionRef,
  type IdpClient,
  type IdpClientOptions,
  type IdpHooks,
  type Logger,
  type Redactor,
} from '@idp-kit/client';
import {
  type ConnectionFlags,
  checkDotenvDestinations,
  loadSettings,
  parseDuration,
  resolveConnection,
  type Settings,
} from './config.js';
import { EXIT } from './exit-codes.js';
import { formatCsv, formatTable } from './format.js';
import { invocation } from './invocation.js';
import { progress } from './progress.js';
import { redactingStream } from './redacting-stream.js';
import { type Style, styleFor } from './style.js';
import { terminalJson, terminalText } from './terminal-text.js';
import { VERSION } from './version.js';

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /**
   * Asks the person at the terminal a yes/no question (`idp diff --run` before it spends credits).
   * Given by tests; by default the terminal is asked when stdin is one, and nothing is asked otherwise.
   */
  confirm?: (question: string) => Promise<boolean>;
}

export interface OutputFlags {
  json?: boolean;
  csv?: boolean;
  confidence?: boolean;
  minConfidence: number;
  verbose?: boolean;
}

export interface WaitFlags {
  timeout?: string;
  until: 'settled' | 'final';
  interval?: string;
}

/**
 * What every command shares: where to print, the settings, the client, and the exit code it sets.
 * Commands are modules of their own (src/commands); this is the one object they get.
 */
export class CliContext {
  readonly style: Style;
  readonly errStyle: Style;
  /** `idp`, or `pnpm idp` inside the repository: every command we print must work as pasted. */
  readonly cmd: string;
  exitCode: number = EXIT.SUCCEEDED;
  verbose = false;
  /**
   * Every secret of this run (client secret, each token issued, Basic credentials, a database
   * password): the client registers its own with it, and stdout and stderr pass through it.
   */
  readonly redactor: Redactor = createRedactor();
  readonly io: Io;
  private settingsRead: Settings | undefined;
  constructor(io: Io) {
    this.io = {
      ...io,
      stdout: redactingStream(io.stdout, this.redactor),
      stderr: redactingStream(io.stderr, this.redactor),
    };
    this.style = styleFor(io.stdout, io.env);
    this.errStyle = styleFor(io.stderr, io.env);
    this.cmd = invocation(io.env, io.cwd);
  }

  /** Whatever is printed, written or served: no secret of this run (the streams do this already). */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Another secret nothing may print (a database password, say). */
  keepSecret(secret: string | undefined): void {
    this.redactor.add(secret);
  }

  /**
   * The environment and `.env`, read once; the first read says on stderr which settings the file
   * supplied (names only).
   */
  settings(): Settings {
    if (!this.settingsRead) {
      this.settingsRead = loadSettings(this.io.env, this.io.cwd);
      const { dotenv } = this.settingsRead;
      if (dotenv && dotenv.supplied.length > 0) {
        this.warn(this.errStyle.dim(`idp: settings from ${dotenv.path}: ${dotenv.supplied.join(', ')}`));
      }
    }
    return this.settingsRead;
  }

  /**
   * Human text on stdout. The one place it is written: control characters from servers and files are
   * shown as escapes here (only the CLI's own colours reach the terminal).
   */
  say(text: string): void {
    this.io.stdout.write(`${terminalText(this.redact(text), this.style.sequences)}\n`);
  }

  /** Human text on stderr, made safe as `say` does. */
  warn(text: string): void {
    this.io.stderr.write(`${terminalText(this.redact(text), this.errStyle.sequences)}\n`);
  }

  /** JSON on stdout (`--json`): the same JSON, with no character a terminal would act on left raw. */
  json(value: unknown, indent?: number): void {
    this.io.stdout.write(`${terminalJson(this.redact(JSON.stringify(value, null, indent)))}\n`);
  }

  /**
   * Machine text that is not JSON (`--csv`): written as is when piped or redirected (a file keeps every
   * byte), made safe as `say` does on a terminal.
   */
  data(text: string): void {
    const redacted = this.redact(text);
    this.io.stdout.write(`${this.io.stdout.isTTY ? terminalText(redacted) : redacted}\n`);
  }

  /** Resolves on Ctrl-C (at once if it came already): for commands that serve until stopped. */
  untilInterrupted(): Promise<void> {
    return new Promise((resolve) => {
      if (this.io.signal?.aborted) resolve();
      this.io.signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** The signal to pass to the client: Ctrl-C. */
  get signalOption(): { signal?: AbortSignal } {
    return this.io.signal ? { signal: this.io.signal } : {};
  }

  /** Settings from flags, environment and .env, then the client. */
  connect(
    flags: ConnectionFlags & { verbose?: boolean },
    fromUrl?: { organizationId: string; baseUrl: string },
    extra: { fetch?: typeof fetch; hooks?: IdpHooks[]; admit?: Admit } = {},
  ): IdpClient {
    return createIdpClient(this.clientOptions(flags, fromUrl, extra));
  }

  /**
   * The client's options from flags, environment and .env (what `connect()` makes the client from, and
   * what `idp doctor` hands to `diagnose()`). Throws a `UsageError` on a missing or refused setting.
   */
  clientOptions(
    flags: ConnectionFlags & { verbose?: boolean },
    fromUrl?: { organizationId: string; baseUrl: string },
    extra: { fetch?: typeof fetch; hooks?: IdpHooks[]; admit?: Admit } = {},
  ): IdpClientOptions {
    this.verbose = flags.verbose === true;
    const timeoutMs = parseDuration(flags.requestTimeout ?? '30s', '--request-timeout');
    const settings = this.settings();
    checkDotenvDestinations(settings, flags, this.io.env);
    const connection = resolveConnection(flags, settings.env, fromUrl, this.cmd);
    const { errStyle } = this;
    const logger: Logger = this.verbose
      ? { debug: (m) => this.warn(errStyle.dim(m)), warn: (m) => this.warn(errStyle.warn(m)) }
      : { warn: (m) => this.warn(errStyle.warn(m)) };
    return {
      organizationId: connection.organizationId,
      ...(connection.region ? { region: connection.region } : {}),
      ...(connection.baseUrl ? { baseUrl: connection.baseUrl } : {}),
      auth: {
        clientId: connection.clientId,
        clientSecret: connection.clientSecret,
        ...(connection.tokenUrl ? { tokenUrl: connection.tokenUrl } : {}),
      },
      ...(connection.controlPlaneUrl ? { controlPlaneUrl: connection.controlPlaneUrl } : {}),
      ...(connection.basic ? { basicAuth: connection.basic } : {}),
      ...(extra.fetch ? { fetch: extra.fetch } : {}),
      ...(extra.hooks ? { hooks: extra.hooks } : {}),
      ...(extra.admit ? { admit: extra.admit } : {}),
      userAgent: `idp-kit-cli/${VERSION}`,
      timeoutMs,
      logger,
      redactor: this.redactor,
    };
  }

  print(execution: Execution<boolean>, flags: OutputFlags): void {
    if (flags.json) this.json(execution, 2);
    else if (flags.csv) this.data(formatCsv(execution));
    else this.say(formatTable(execution, this.style, flags.minConfidence));
  }

  /** The wait's timings, parsed up front: a bad --timeout must fail before a document is uploaded. */
  waitTimings(flags: WaitFlags): { timeoutMs: number; pollIntervalMs: number } {
    return {
      timeoutMs: parseDuration(flags.timeout ?? '10m', '--timeout'),
      pollIntervalMs: parseDuration(flags.interval ?? '10s', '--interval'),
    };
  }

  /** Polls with a live status line on stderr. */
  async wait(
    idp: IdpClient,
    ref: ExecutionRef,
    flags: OutputFlags & WaitFlags,
    timings: { timeoutMs: number; pollIntervalMs: number },
    /** What the client is handed: the execution URL when one was given (the client checks its host). */
    target: ExecutionRef | string = ref,
  ): Promise<Execution<boolean>> {
    const status = progress(this.io.stderr, this.errStyle, `execution ${ref.executionId.slice(0, 8)}`);
    try {
      return await idp.waitForExecution(target, {
        valueOnly: !flags.confidence,
        until: flags.until,
        ...timings,
        onProgress: (e) => status.update(e.status),
        ...this.signalOption,
      });
    } finally {
      status.stop();
    }
  }
}
