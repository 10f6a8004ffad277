import { resolve } from 'node:path';
import {
  correctReview,
  type Execution,
  type ExecutionRef,
  executionTarget,
  explainStatusMessage,
  extractFields,
  type IdpClient,
  IdpValidationError,
  runtimeBaseUrl,
} from '@idp-kit/client';
import { type DiagnoseOptions, diagnose } from '@idp-kit/client/diagnose';
import { readDocumentFile } from '@idp-kit/client/file';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { redactingTransport } from './redacting-transport.js';
import { clip, clipStrings, fitJson, limitText, MAX_RESULT_CHARS } from './result-size.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** Characters of one value in a summary or a cut list; the resource has every value whole. */
const VALUE_CHARS = 200;
/** Characters of one string in a result that had to be cut (other than an execution's). */
const STRING_CHARS = 500;

/**
 * Options of `createIdpMcpServer()`.
 *
 * @example
 * ```ts
 * const options: IdpMcpOptions = { client: idp, allowWrites: false };
 * ```
 */
export interface IdpMcpOptions {
  client: IdpClient;
  /**
   * Adds the tools that cost credits or change state: `submit_document`, `update_review`,
   * `approve_review`. Off by default: an agent must not spend credits unless a person said so.
   */
  allowWrites?: boolean;
  /**
   * A last guard on every message sent to the agent; default the client's own (`client.redact`), which
   * knows its secret, every token it was issued and Basic credentials.
   */
  redact?: (text: string) => string;
  /** Where `submit_document` reads relative paths from; default `process.cwd()`. */
  cwd?: string;
  /** Server version shown to clients. */
  version?: string;
  /** First poll interval of `wait_for_execution` (the client's 10 s floor against MuleSoft holds). */
  pollIntervalMs?: number;
  /**
   * What the `diagnose` tool checks: best the client's options and where each setting came from (as
   * `idp mcp` passes them), so that it can also request a token alone and check answers against the
   * spec. Default `{ client }`: the client above, without those two checks.
   */
  diagnose?: Omit<DiagnoseOptions, 'execution' | 'signal'>;
}

const uuid = (what: string) => z.string().regex(UUID, `${what} must be a UUID`).describe(`${what} (a UUID)`);
const refShape = {
  url: z
    .string()
    .url()
    .optional()
    .describe(
      'The execution URL, as Anypoint shows it. Either this, or actionId + actionVersion + executionId.',
    ),
  actionId: uuid('actionId').optional(),
  actionVersion: z
    .string()
    .regex(SEMVER, 'actionVersion must be a semantic version such as 1.1.0')
    .optional()
    .describe('The published action version, e.g. 1.1.0'),
  executionId: uuid('executionId').optional(),
};
type RefInput = {
  url?: string | undefined;
  actionId?: string | undefined;
  actionVersion?: string | undefined;
  executionId?: string | undefined;
};

class ToolInputError extends Error {}

/**
 * The execution a tool names: `target` for the client (a URL keeps the client's host check), `ref` for
 * the resource link.
 */
function refOf(input: RefInput): { target: ExecutionRef | string; ref: ExecutionRef } {
  try {
    // The client's one rule for "a URL or the ids", in the words of this tool's arguments.
    const { target, ref } = executionTarget(
      {
        url: input.url || undefined,
        actionId: input.actionId || undefined,
        actionVersion: input.actionVersion || undefined,
        executionId: input.executionId || undefined,
      },
      {
        names: {
          url: 'url',
          actionId: 'actionId',
          actionVersion: 'actionVersion',
          executionId: 'executionId',
        },
      },
    );
    return { target, ref };
  } catch (error) {
    if (error instanceof IdpValidationError && /^(give either|name the)/.test(error.message)) {
      throw new ToolInputError(error.message);
    }
    throw error;
  }
}

function resourceUri(ref: ExecutionRef, valueOnly: boolean): string {
  return `idp://executions/${ref.actionId}/${ref.actionVersion}/${ref.executionId}?valueOnly=${valueOnly}`;
}

type FieldEntry = ReturnType<typeof fieldsOf>[number];

/** A field entry whose name and value are cut to `max` characters (marked where cut). */
function clipField(field: FieldEntry, max: number): FieldEntry {
  return {
    ...field,
    name: clip(field.name, max),
    value: field.value === null ? null : clip(field.value, max),
  };
}

/** The flat field list, each with its confidence on 0–100 when the result carries scores. */
function fieldsOf(execution: unknown) {
  return extractFields(execution).map((f) => ({
    name: f.table ? `${f.table}[${f.row}].${f.name}` : f.name,
    kind: f.kind,
    value: f.value,
    ...(f.confidence !== undefined ? { confidence: f.confidence } : {}),
    ...(f.page !== undefined ? { page: f.page } : {}),
  }));
}

/** An execution as the agent sees it: whole when small, summarized (whole as a resource) when not. */
function executionResult(
  execution: Execution<boolean>,
  ref: ExecutionRef,
  valueOnly: boolean,
): CallToolResult {
  const text = JSON.stringify(execution, null, 2);
  if (text.length <= MAX_RESULT_CHARS) {
    return { content: [{ type: 'text', text }] };
  }
  const fields = fieldsOf(execution);
  const low = fields
    .filter((f) => f.confidence !== undefined && f.confidence < 80)
    .slice(0, 20)
    .map((f) => clipField(f, VALUE_CHARS));
  const first = fields.slice(0, 40).map((f) => clipField(f, VALUE_CHARS));
  // Every part is cut to size (a server's 1 MB value or name must not make the summary 1 MB), then as
  // many entries as fit: the shaky values first.
  const reason = explainStatusMessage(execution.statusMessage);
  const summary = (n: number) => ({
    id: clip(String(execution.id ?? ''), VALUE_CHARS),
    documentName: clip(String(execution.documentName ?? ''), VALUE_CHARS),
    status: clip(String(execution.status), VALUE_CHARS),
    // Why it failed, in the model's words, with what to do.
    ...(reason !== undefined ? { reason: clip(reason, VALUE_CHARS * 2) } : {}),
    note: `The result is ${text.length} characters: summarized here (values cut at ${VALUE_CHARS} characters). Read the resource ${resourceUri(ref, valueOnly)} for all of it, or call extract_fields.`,
    values: fields.length,
    lowConfidence: low.slice(0, n),
    firstValues: first.slice(0, Math.max(0, n - low.length)),
  });
  return {
    content: [
      { type: 'text', text: fitJson(summary, low.length + first.length, MAX_RESULT_CHARS) },
      {
        type: 'resource_link',
        uri: resourceUri(ref, valueOnly),
        name: `execution ${ref.executionId}`,
        mimeType: 'application/json',
      },
    ],
  };
}

/**
 * An MCP server over an `IdpClient`: tools to retrieve and wait for executions, list their fields
 * (with a low-confidence filter), discover actions, read review tasks and diagnose the setup (`diagnose`,
 * the checks of `idp doctor`); with `allowWrites`, also to
 * submit documents and correct and approve reviews. Every input is checked before anything is sent; a
 * failure is a tool error with the client's message; no secret or token is ever in a result.
 *
 * @example
 * ```ts
 * const server = createIdpMcpServer({ client: createIdpClient({ organizationId, auth }) });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createIdpMcpServer(options: IdpMcpOptions): McpServer {
  const { client } = options;
  const redact =
    options.redact ??
    (typeof client.redact === 'function' ? (t: string) => client.redact(t) : (t: string) => t);
  const server = new McpServer({ name: 'idp-kit', version: options.version ?? '0.0.0' });
  // Every message out, whatever built it (a tool, the SDK's error reply, a notification), is redacted.
  const connect = server.connect.bind(server);
  server.connect = (transport) => connect(redactingTransport(transport, (m) => redactJson(m, redact)));

  /** Runs a tool; any failure becomes a tool error with a clear, redacted message. */
  function tool<A>(name: string, run: (args: A, extra: Extra) => Promise<CallToolResult>) {
    return async (args: A, extra: Extra): Promise<CallToolResult> => {
      try {
        const result = await run(args, extra);
        return {
          ...result,
          content: result.content.map((c) => (c.type === 'text' ? { ...c, text: sized(redact(c.text)) } : c)),
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { isError: true, content: [{ type: 'text', text: sized(redact(`${name}: ${message}`)) }] };
      }
    };
  }
  /** Every text a tool returns keeps the size promise, whichever tool it is. */
  const sized = (text: string) =>
    limitText(text, MAX_RESULT_CHARS, 'ask for less: a smaller page, a filter, or the execution resource');
  /** JSON for the agent; when too long, its long strings are cut (and marked) first. */
  const json = (value: unknown): CallToolResult => {
    const whole = JSON.stringify(value, null, 2);
    const text =
      whole.length <= MAX_RESULT_CHARS ? whole : JSON.stringify(clipStrings(value, STRING_CHARS), null, 2);
    return { content: [{ type: 'text', text }] };
  };

  server.registerResource(
    'execution',
    new ResourceTemplate('idp://executions/{actionId}/{actionVersion}/{executionId}{?valueOnly}', {
      list: undefined,
    }),
    { title: 'An IDP execution, whole', mimeType: 'application/json' },
    async (uri, variables) => {
      const ref = {
        actionId: String(variables.actionId),
        actionVersion: String(variables.actionVersion),
        executionId: String(variables.executionId),
      };
      const execution = await client.getExecution(ref, {
        valueOnly: String(variables.valueOnly) !== 'false',
      });
      return {
        contents: [
          { uri: uri.href, mimeType: 'application/json', text: redact(JSON.stringify(execution, null, 2)) },
        ],
      };
    },
  );

  server.registerTool(
    'get_execution',
    {
      title: 'Get an IDP execution',
      description:
        'Retrieve one document-action execution: its status (ACKNOWLEDGED, IN_PROGRESS, RESULTS_PENDING, MANUAL_VALIDATION_REQUIRED, FAILED, PARTIAL_SUCCESS, SUCCEEDED) and, once available, the extracted fields, tables and prompt answers. valueOnly=false adds confidence scores and the position of each value. Large results are summarized, with the whole as a resource.',
      inputSchema: {
        ...refShape,
        valueOnly: z.boolean().optional().describe('Default true; false adds confidence and geometry'),
      },
      annotations: { readOnlyHint: true },
    },
    tool('get_execution', async (args) => {
      const { target, ref } = refOf(args);
      const valueOnly = args.valueOnly ?? true;
      const execution = await client.getExecution(target, { valueOnly });
      return executionResult(execution, ref, valueOnly);
    }),
  );

  server.registerTool(
    'wait_for_execution',
    {
      title: 'Wait for an IDP execution',
      description:
        'Poll an execution until it settles (or, with until=final, until a reviewer is done), for at most timeoutSeconds (default 120, at most 600). Sends a progress notification at each status change. Polls no more often than every 10 s against MuleSoft hosts.',
      inputSchema: {
        ...refShape,
        until: z
          .enum(['settled', 'final'])
          .optional()
          .describe('settled (default) stops at MANUAL_VALIDATION_REQUIRED'),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(600)
          .optional()
          .describe('Give up after this long; default 120'),
        valueOnly: z.boolean().optional(),
      },
      annotations: { readOnlyHint: true },
    },
    tool('wait_for_execution', async (args, extra) => {
      const { target, ref } = refOf(args);
      const valueOnly = args.valueOnly ?? true;
      const token = extra._meta?.progressToken;
      let step = 0;
      const execution = await client.waitForExecution(target, {
        valueOnly,
        until: args.until ?? 'settled',
        timeoutMs: (args.timeoutSeconds ?? 120) * 1000,
        ...(options.pollIntervalMs !== undefined
          ? { pollIntervalMs: options.pollIntervalMs, maxPollIntervalMs: options.pollIntervalMs * 4 }
          : {}),
        signal: extra.signal,
        onProgress: (e) => {
          if (token === undefined) return;
          step++;
          void extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: step, message: `status ${clip(e.status, 100)}` },
            })
            .catch(() => {});
        },
      });
      return executionResult(execution, ref, valueOnly);
    }),
  );

  server.registerTool(
    'extract_fields',
    {
      title: 'List the extracted values',
      description:
        'Every extracted value of an execution as one flat list (fields, table cells as table[row].column, prompt answers), with its confidence on 0–100. belowConfidence keeps only the values under that confidence: the shaky ones a person should check.',
      inputSchema: {
        ...refShape,
        belowConfidence: z
          .number()
          .min(0)
          .max(100)
          .optional()
          .describe('Keep only values under this confidence (0–100)'),
      },
      annotations: { readOnlyHint: true },
    },
    tool('extract_fields', async (args) => {
      const { target, ref } = refOf(args);
      const execution = await client.getExecution(target, { valueOnly: false });
      let fields = fieldsOf(execution);
      if (args.belowConfidence !== undefined) {
        const below = args.belowConfidence;
        fields = fields.filter((f) => f.confidence !== undefined && f.confidence < below);
      }
      const whole = { status: execution.status, documentName: execution.documentName, count: fields.length };
      const text = JSON.stringify({ ...whole, fields }, null, 2);
      if (text.length <= MAX_RESULT_CHARS) return { content: [{ type: 'text', text }] };
      // Too long for an agent: as many values as fit, each cut, and where the rest is.
      const cut = fields.map((f) => clipField(f, VALUE_CHARS));
      const list = (n: number) => ({
        status: clip(String(execution.status), VALUE_CHARS),
        documentName: clip(String(execution.documentName ?? ''), VALUE_CHARS),
        count: fields.length,
        shown: n,
        note: `The list is ${text.length} characters: the first ${n} values are shown, each cut at ${VALUE_CHARS} characters. Narrow it with belowConfidence, or read the resource ${resourceUri(ref, false)} for all of it.`,
        fields: cut.slice(0, n),
      });
      return { content: [{ type: 'text', text: fitJson(list, cut.length, MAX_RESULT_CHARS) }] };
    }),
  );

  server.registerTool(
    'list_actions',
    {
      title: 'List document actions',
      description:
        "One page of the organization's document actions (id, name, type), with the total. Use get_action for what one extracts and where its versions run.",
      inputSchema: {
        page: z.number().int().min(0).optional(),
        size: z.number().int().min(1).max(100).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    tool('list_actions', async (args) => {
      const list = await client.listActions({
        ...(args.page !== undefined ? { page: args.page } : {}),
        ...(args.size !== undefined ? { size: args.size } : {}),
        sort: 'name,asc',
      });
      return json({
        total: list.total,
        actions: list.actions.map((a) => ({
          id: a.id,
          name: a.name,
          type: a.type,
          description: a.description,
        })),
      });
    }),
  );

  server.registerTool(
    'get_action',
    {
      title: 'Get a document action',
      description:
        'What a document action extracts (fields, tables, prompts), and its versions with the runtime host each is published to. With version, that version only.',
      inputSchema: {
        actionId: uuid('actionId'),
        version: z.string().regex(SEMVER, 'version must be a semantic version such as 1.1.0').optional(),
      },
      annotations: { readOnlyHint: true },
    },
    tool('get_action', async (args) => {
      const action = await client.getAction(args.actionId);
      const versions = args.version
        ? [await client.getActionVersion(args.actionId, args.version)]
        : await client.listActionVersions(args.actionId);
      return json({
        id: action.id,
        name: action.name,
        type: action.type,
        output: action.configuration?.content?.output ?? {},
        versions: versions.map((v) => ({
          version: v.version,
          status: v.status,
          runtimeBaseUrl: runtimeBaseUrl(v) ?? null,
        })),
      });
    }),
  );

  server.registerTool(
    'list_reviews',
    {
      title: 'List review tasks',
      description: 'The executions waiting for a person (MANUAL_VALIDATION_REQUIRED), one page at a time.',
      inputSchema: {
        page: z.number().int().min(0).optional(),
        size: z.number().int().min(1).max(100).optional(),
      },
      annotations: { readOnlyHint: true },
    },
    tool('list_reviews', async (args) =>
      json(
        await client.listReviews({
          ...(args.page !== undefined ? { page: args.page } : {}),
          ...(args.size !== undefined ? { size: args.size } : {}),
        }),
      ),
    ),
  );

  const reviewShape = {
    url: refShape.url,
    actionId: uuid('actionId').optional(),
    executionId: uuid('executionId').optional(),
  };
  const reviewRef = (args: {
    url?: string | undefined;
    actionId?: string | undefined;
    executionId?: string | undefined;
  }) => {
    if (args.url) return args.url;
    if (!args.actionId || !args.executionId)
      throw new ToolInputError('name the review: url, or actionId + executionId');
    return { actionId: args.actionId, executionId: args.executionId };
  };

  server.registerTool(
    'get_review',
    {
      title: 'Get a review task',
      description:
        "The low-confidence items of one execution's review task: each item's name, value as extracted, confidence and whether a person validated it.",
      inputSchema: reviewShape,
      annotations: { readOnlyHint: true },
    },
    tool('get_review', async (args) => json(await client.getReview(reviewRef(args)))),
  );

  server.registerTool(
    'diagnose',
    {
      title: 'Diagnose the IDP setup',
      description:
        "Check this server's IDP setup end to end, as `idp doctor` does: where each setting came from (never a value), DNS and TCP/TLS to the runtime, token and control-plane hosts, the clock, a token request, reading an execution (when named), a page of actions and where its version runs, and each answer against the spec. Returns ok and every check with its id, status (ok, warn, fail, skip), message and, for a failure, what to do. No secret, token or extracted value is in it.",
      inputSchema: refShape,
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    tool('diagnose', async (args, extra) => {
      const named = args.url || args.actionId || args.actionVersion || args.executionId;
      const execution = named ? refOf(args).target : undefined;
      const diagnosis = await diagnose({
        ...(options.diagnose ?? { client }),
        ...(execution ? { execution } : {}),
        signal: extra.signal,
      });
      return json({ ok: diagnosis.ok, checks: diagnosis.checks });
    }),
  );

  if (options.allowWrites) {
    server.registerTool(
      'submit_document',
      {
        title: 'Submit a document (costs credits)',
        description:
          'Submit a local PDF, PNG, JPG or TIFF file (at most 15 MB) to a published document action. COSTS IDP CREDITS for every page, also when the same file is submitted again: submit only what the user asked for, once. Returns the execution id; then call wait_for_execution.',
        inputSchema: {
          path: z.string().min(1).describe('Path of the file on this machine'),
          actionId: uuid('actionId'),
          actionVersion: z.string().regex(SEMVER, 'actionVersion must be a semantic version such as 1.1.0'),
        },
        annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: true },
      },
      tool('submit_document', async (args) => {
        // Only a regular file, its size checked before it is read: a pipe named scan.pdf hung this tool.
        const { bytes, fileName } = await readDocumentFile(resolve(options.cwd ?? process.cwd(), args.path));
        const created = await client.submitExecution({
          actionId: args.actionId,
          actionVersion: args.actionVersion,
          file: bytes,
          fileName,
        });
        return json({ ...created, actionId: args.actionId, actionVersion: args.actionVersion });
      }),
    );

    server.registerTool(
      'update_review',
      {
        title: 'Correct items of a review task (changes state)',
        description:
          "Set corrected values of a review task's items by name (see get_review for the names). Changes what IDP returns for the execution once approved.",
        inputSchema: {
          ...reviewShape,
          corrections: z.record(z.string()).describe('Item name → corrected value'),
        },
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      tool('update_review', async (args) => {
        const ref = reviewRef(args);
        const review = await client.getReview(ref);
        return json(await client.updateReview(ref, correctReview(review, args.corrections)));
      }),
    );

    server.registerTool(
      'approve_review',
      {
        title: 'Approve a review task (changes state)',
        description:
          'Close the review task: the execution becomes SUCCEEDED with the reviewed values. Cannot be undone.',
        inputSchema: reviewShape,
        annotations: { destructiveHint: true, idempotentHint: true },
      },
      tool('approve_review', async (args) => {
        await client.approveReview(reviewRef(args));
        return json({ approved: true });
      }),
    );
  }
  return server;
}

/** A JSON-RPC message with every string and key passed through `redact`. */
function redactJson(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, redact));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [redact(key), redactJson(v, redact)]));
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
